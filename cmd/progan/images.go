package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"iter"
	"math"
	"os"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "images",
		args: "DIR",
		summary: "pack a folder of images into a dataset: one TFRecord file per resolution,\n" +
			"full size down to 4×4, as the original's create_from_images writes them.\n" +
			"PNG, JPEG, GIF, BMP, TIFF and WebP are read in sorted name order. Without\n" +
			"--resolution every image must be square, a power of two and the size of the\n" +
			"first; with it, images are centre-cropped and resized. The output appears only\n" +
			"when complete; an interrupted run (Ctrl-C, kill, power loss) continues from its\n" +
			"last checkpoint with --resume, or starts over without it.\n" +
			"Unlike the original, the default order is the sorted input order: --shuffle\n" +
			"gives the original's RandomState(123) order.",
		example: "progan images -o datasets/faces ~/faces\n" +
			"progan images --shuffle --resolution 256 --keep-going -o datasets/cats ~/cats\n" +
			"progan images --labels classes.npy --compress gzip -o datasets/small ./small",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o packOpts
			fs.StringVar(&o.out, "o", "", "output dataset folder (required; must not exist or be empty)")
			fs.BoolVar(&o.shuffle, "shuffle", false, "store images in the original's shuffled order (numpy RandomState(seed).shuffle)")
			fs.Int64Var(&o.seed, "seed", 123, "seed of the --shuffle order")
			fs.IntVar(&o.res, "resolution", 0, fmt.Sprintf("centre-crop and resize every image to R×R (a power of two from 4 to %d)", pyramid.MaxResolution))
			fs.StringVar(&o.filter, "resize-filter", "lanczos", "resize filter: "+strings.Join(imagefile.FilterNames(), ", "))
			fs.IntVar(&o.channels, "channels", 0, "1 or 3 to convert every image; default: the first image's")
			fs.StringVar(&o.labels, "labels", "", "labels .npy file, one row per input file in sorted order")
			fs.BoolVar(&o.recursive, "recursive", false, "also read images in subfolders")
			fs.BoolVar(&o.keepGoing, "keep-going", false, "skip unreadable or mismatched images and list them")
			fs.StringVar(&o.compress, "compress", "none", "compress tier files: none, gzip or zlib (TFRecord options; no random access)")
			fs.IntVar(&o.workers, "workers", 0, fmt.Sprintf("parallel decoders, at most %d (default: all cores)", maxWorkers))
			fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
			fs.BoolVar(&o.resume, "resume", false, "continue an interrupted run of the same command from its last checkpoint")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one input DIR"); err != nil {
					return err
				}
				if o.out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				o.dir = args[0]
				return packImages(ctx, e, o)
			}
		},
	})
}

type packOpts struct {
	dir, out, filter, labels, compress  string
	shuffle, recursive, keepGoing, json bool
	resume                              bool
	seed                                int64
	res, channels, workers              int
}

func packImages(ctx context.Context, e *env, o packOpts) error {
	if o.res != 0 {
		if err := checkResolution(o.res, pyramid.MaxResolution); err != nil {
			return err
		}
	}
	if o.channels != 0 && o.channels != 1 && o.channels != 3 {
		return fmt.Errorf("--channels %d: want 1 or 3: %w", o.channels, errUsage)
	}
	if err := checkWorkers(o.workers); err != nil {
		return err
	}
	if err := checkSeed(o.seed); err != nil {
		return err
	}
	comp, err := pyramid.ParseCompression(o.compress)
	if err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	paths, err := imagefile.List(o.dir, o.recursive)
	if err != nil {
		return err
	}
	var labels *npy.Matrix
	if o.labels != "" {
		if labels, err = npy.ReadFile(o.labels); err != nil {
			return err
		}
		if labels.Rows != len(paths) {
			return fmt.Errorf("%s has %d rows for %d images in %s", o.labels, labels.Rows, len(paths), o.dir)
		}
		if err := checkLabels(o.labels, labels); err != nil {
			return err
		}
	}
	var order []int
	wopt := pyramid.Options{Compression: comp, Source: o.dir}
	if o.shuffle {
		order = nprand.New(uint32(o.seed)).Permutation(len(paths))
		wopt.Order, wopt.Seed = "shuffled", &o.seed
	}
	wopt.Fingerprint, err = fingerprint(o, paths)
	if err != nil {
		return err
	}
	if order == nil {
		order = make([]int, len(paths))
		for i := range order {
			order[i] = i
		}
	}
	iopt := imagefile.Options{Resolution: o.res, Filter: o.filter, Channels: o.channels}
	job := packJob{cmd: "images", out: o.out, inputs: len(paths), opt: wopt, resume: o.resume, json: o.json,
		strictHint: "fix or remove the file, or pass --keep-going to skip such files"}
	job.items = func(ctx context.Context, done, _ int) iter.Seq2[packItem, error] {
		return func(yield func(packItem, error) bool) {
			for it, err := range imagefile.Stream(ctx, paths, order[done:], iopt, o.workers) {
				var ie *imagefile.InputError
				if errors.As(err, &ie) {
					if o.keepGoing {
						if !yield(packItem{skip: &pyramid.Skipped{Input: ie.Path, Error: ie.Err.Error()}}, nil) {
							return
						}
						continue
					}
					err = &inputError{err}
				}
				if err != nil {
					yield(packItem{}, err)
					return
				}
				var label []float32
				if labels != nil {
					label = labels.Row(it.Index)
				}
				if !yield(packItem{name: it.Path, img: it.Image, label: label}, nil) {
					return
				}
			}
		}
	}
	return runPack(ctx, e, job)
}

// checkLabels refuses labels the dataset cannot hold: rows longer than the
// writer takes, and NaN or ±Inf (a float64 beyond float32's range becomes
// Inf), which no trainer can use and dataset.json cannot carry; the row
// named is the .npy file's, before any shuffle.
func checkLabels(path string, m *npy.Matrix) error {
	if m.Cols > pyramid.MaxLabelSize {
		return fmt.Errorf("%s: rows of %d labels, at most %d", path, m.Cols, pyramid.MaxLabelSize)
	}
	for i := range m.Rows {
		for k, v := range m.Row(i) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: row %d, column %d: %v is not a finite number (as float32)", path, i, k, v)
			}
		}
	}
	return nil
}

// fingerprint identifies a packing run's inputs and settings, so that
// --resume continues only the same run: the input files (names, sizes,
// modification times), the labels file and every flag that changes the
// output.
func fingerprint(o packOpts, paths []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "images\x00%d\x00%v\x00%d\x00%d\x00%s\x00%d\x00%v\x00%s\x00", len(paths), o.shuffle, o.seed, o.res, o.filter, o.channels, o.keepGoing, o.compress)
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, st.Size(), st.ModTime().UnixNano())
	}
	if o.labels != "" {
		b, err := os.ReadFile(o.labels)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
