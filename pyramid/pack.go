package pyramid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"iter"
	"math"
	"os"

	"github.com/progan/progan/internal/nprand"
)

// Item is one input of a Source: an image (and its label), or the reason
// the input cannot be read.
type Item struct {
	// Name names the input in messages and in the manifest's list of
	// skipped inputs: a file, "key …" of a database, "… image 17".
	Name  string
	Image image.Image // nil when Err is set
	Label []float32   // nil for an unlabelled dataset
	// Err is the one kind of per-item error: this input, and only it,
	// could not be read. Pack skips it with PackOptions.KeepGoing and
	// stops with an *InputError otherwise. Errors that end the whole run
	// (a broken archive, ctx's) come as the iterator's error instead.
	Err error
}

// Position is where a resumed run goes on: Inputs inputs were consumed
// (images and skipped inputs), Images of them became images.
type Position struct {
	Inputs, Images int
}

// SourceInfo describes a Source to Pack: what the manifest records and how
// many inputs there are.
type SourceInfo struct {
	Source string  // recorded in the manifest, e.g. the input folder
	Order  Order   // recorded in the manifest
	Seed   *uint64 // recorded with a shuffled or random order
	// Inputs is the number of inputs Items yields from the start, for
	// progress and the resume check; 0: unknown.
	Inputs int
}

// A Source is a dataset's inputs in the original's order: a folder of
// images, MNIST, CIFAR-10, an LSUN database, … (the packages folder,
// mnist, cifar, lsun, celeba and celebahq each have one).
type Source interface {
	Info() SourceInfo
	// Fingerprint identifies the inputs (names, sizes, modification
	// times) and every setting that changes the output, including the
	// packing options given, so that Pack resumes only the same run. ""
	// means the source cannot tell (any checkpoint without one matches).
	Fingerprint(opt PackOptions) (string, error)
	// Items yields the inputs in output order from position from on
	// (the zero Position for a fresh run).
	Items(ctx context.Context, from Position) iter.Seq2[Item, error]
}

// PackOptions configure Pack.
type PackOptions struct {
	Compression     Compression
	Workers         int  // encoding workers of the Writer; 0: GOMAXPROCS
	CheckpointEvery int  // as Options.CheckpointEvery
	KeepGoing       bool // skip inputs with an Item.Err and list them, instead of stopping
	// Resume continues the partial dataset an interrupted Pack of the same
	// source and options left; without one Pack starts afresh.
	Resume bool
	// Started, if set, is called once before the first input is read.
	Started func(PackStart)
	// Progress, if set, is called with the number of inputs just consumed
	// (images and skipped inputs): a delta for a progress bar's Add.
	Progress func(n int)
}

// PackStart tells how a Pack starts.
type PackStart struct {
	Resumed      bool // going on after Done inputs of an interrupted run
	NoCheckpoint bool // Resume was asked for, but there was nothing to resume
	Done         int  // inputs consumed by earlier runs
	Inputs       int  // the source's SourceInfo.Inputs
}

// PackResult reports a finished Pack.
type PackResult struct {
	Images  int       // images in the dataset
	Inputs  int       // inputs consumed, earlier runs included
	Read    int       // inputs consumed by this run
	Resumed bool      // this run continued an interrupted one
	Skipped []Skipped // inputs this run skipped
}

// InputError is a Pack stopped by one input: an Item.Err without
// KeepGoing, or an image the dataset cannot hold. Its message is Err's.
type InputError struct {
	Input string
	Err   error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// StopError is a Pack that ended before its source did: cancelled (Err is
// ctx's), stopped by an *InputError, or failed. When Kept, the images
// written are checkpointed in PartialDir(out), and Pack with Resume goes
// on from there; otherwise nothing is left behind.
type StopError struct {
	Err     error
	Resumed bool // the run continued an earlier one
	Kept    bool
	Images  int // images written (kept, when Kept)
}

func (e *StopError) Error() string {
	if e.Kept {
		return fmt.Sprintf("%v (%d images kept for resuming)", e.Err, e.Images)
	}
	return e.Err.Error()
}

func (e *StopError) Unwrap() error { return e.Err }

// Pack packs src into the dataset out: it creates the dataset, or with
// opt.Resume continues an interrupted run (checked against the source's
// fingerprint), adds every item, skips (with opt.KeepGoing) and lists
// unreadable inputs, and publishes the dataset when the source ends.
// Cancelling ctx stops it with a checkpoint: the *StopError says whether
// the partial dataset was kept for a later Pack with Resume. A failed
// resumed run keeps its earlier work likewise; a failed fresh run leaves
// nothing.
func Pack(ctx context.Context, src Source, out string, opt PackOptions) (*PackResult, error) {
	info := src.Info()
	fp, err := src.Fingerprint(opt)
	if err != nil {
		return nil, err
	}
	wopt := Options{Compression: opt.Compression, Workers: opt.Workers, Order: info.Order, Seed: info.Seed,
		Source: info.Source, Fingerprint: fp, CheckpointEvery: opt.CheckpointEvery}
	start := PackStart{Inputs: info.Inputs}
	var w *Writer
	if opt.Resume {
		w, start.Done, err = Resume(out, wopt)
		if errors.Is(err, ErrNoCheckpoint) {
			start.NoCheckpoint = true
		} else if err != nil {
			return nil, err
		} else if info.Inputs > 0 && start.Done > info.Inputs {
			// Kept as it is: it may belong to another run of this output.
			w.Stop()
			return nil, fmt.Errorf("the checkpoint of %s says %d inputs were read, but this run has %d; start over without resuming", PartialDir(out), start.Done, info.Inputs)
		}
	}
	start.Resumed = w != nil
	if !start.Resumed {
		if w, err = Create(out, wopt); err != nil {
			return nil, err
		}
	}
	if opt.Started != nil {
		opt.Started(start)
	}
	res := &PackResult{Resumed: start.Resumed}
	progress := func() {
		res.Read++
		if opt.Progress != nil {
			opt.Progress(1)
		}
	}
	err = func() error {
		for it, err := range src.Items(ctx, Position{Inputs: start.Done, Images: w.Len()}) {
			if err != nil {
				return err
			}
			if it.Err != nil {
				if !opt.KeepGoing {
					return &InputError{it.Name, it.Err}
				}
				w.Skip(it.Name, it.Err)
				res.Skipped = append(res.Skipped, Skipped{Input: it.Name, Error: it.Err.Error()})
				progress()
				continue
			}
			if err := w.Add(it.Image, it.Label); err != nil {
				return &InputError{it.Name, fmt.Errorf("%s: %w", it.Name, err)}
			}
			progress()
		}
		return nil
	}()
	if err == nil && w.Len() == 0 {
		err = fmt.Errorf("no image could be read (%d inputs skipped)", len(res.Skipped))
	}
	if err != nil {
		se := &StopError{Err: err, Resumed: start.Resumed}
		if errors.Is(err, context.Canceled) || start.Resumed {
			// A resumed run keeps the work of earlier runs, checkpointed
			// up to the input that failed: an input that fails to read
			// once (a network drive, permissions) need not cost it.
			kept, serr := w.Stop()
			se.Kept = serr == nil && kept
		} else {
			w.Abort()
		}
		se.Images = w.Len()
		return nil, se
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Images, res.Inputs = w.Len(), start.Done+res.Read
	return res, nil
}

// ShuffleOrder returns the original's shuffled order of n inputs: the
// permutation numpy's RandomState(seed).shuffle(arange(n)) leaves (equally
// RandomState(seed).permutation(n)), a Fisher–Yates pass from the end over
// the Mersenne Twister. Position k of the dataset holds input
// ShuffleOrder(n, seed)[k]. The original's datasets use seed 123. The
// seed is 32 bits, what RandomState takes; the seeds of progan's options
// are uint64 everywhere, and those that feed this order must be below 2³².
func ShuffleOrder(n int, seed uint32) []int {
	return nprand.New(seed).Permutation(n)
}

// CheckSeed reports a seed that numpy's RandomState cannot take: the seed
// of a shuffled or randomly drawn order must be below 2³².
func CheckSeed(seed uint64) error {
	if seed > math.MaxUint32 {
		return fmt.Errorf("pyramid: seed %d: the original's RandomState takes 0 ≤ seed < 2³²", seed)
	}
	return nil
}

// FingerprintFiles hashes settings and the names, sizes and modification
// times of files: a Source's fingerprint of its input files.
func FingerprintFiles(settings string, files []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", settings)
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, st.Size(), st.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
