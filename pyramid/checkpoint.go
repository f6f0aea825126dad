package pyramid

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/pyramid/internal/tfrecord"
)

// A partial dataset records, every CheckpointEvery images or 30 seconds, a
// checkpoint: how many inputs were consumed, the size of every file and the
// state of its SHA-256 at that moment. Resume truncates the files back to
// it and goes on from there, so an interrupted run of hours loses at most
// the work since the last checkpoint. Compressed datasets have none (a
// compressor's state cannot be saved): they start over.

const (
	checkpointFile   = "progan-checkpoint.json"
	checkpointFormat = "progan-checkpoint/1"
	checkpointPeriod = 30 * time.Second
)

// ErrNoCheckpoint reports that there is no partial dataset to resume.
var ErrNoCheckpoint = errors.New("no checkpoint of an interrupted run to resume")

type checkpoint struct {
	Format      string         `json:"format"`
	Fingerprint string         `json:"fingerprint"`
	Inputs      int            `json:"inputs"` // images added plus inputs skipped
	Images      int            `json:"images"`
	Channels    int            `json:"channels"`
	Resolution  int            `json:"resolution"`
	LabelSize   int            `json:"label_size"`
	Files       []checkpointed `json:"files"`
	Skipped     []Skipped      `json:"skipped"`
}

type checkpointed struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Hash []byte `json:"sha256_state"`
}

// checkpointDue runs on the writing goroutine after each image.
func (w *Writer) checkpointDue() bool {
	w.written++
	if w.opt.Compression != None {
		return false
	}
	if w.opt.CheckpointEvery > 0 {
		return w.written%w.opt.CheckpointEvery == 0
	}
	return time.Since(w.lastCP) >= checkpointPeriod
}

// checkpoint syncs every file and records the state after the given
// number of inputs, of which skipped were skipped. No other goroutine
// writes meanwhile.
func (w *Writer) checkpoint(inputs, skipped int) error {
	cp := checkpoint{Format: checkpointFormat, Fingerprint: w.opt.Fingerprint, Inputs: inputs,
		Images: w.written, Channels: w.channels, Resolution: w.size, LabelSize: w.labelSize}
	sinks := w.tiers
	if w.labels != nil {
		sinks = append(sinks[:len(sinks):len(sinks)], w.labels)
	}
	for _, s := range sinks {
		if err := s.buf.Flush(); err != nil {
			return err
		}
		if err := s.f.Sync(); err != nil {
			return err
		}
		state, err := s.sum.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return err
		}
		cp.Files = append(cp.Files, checkpointed{Name: s.name, Size: s.size, Hash: state})
	}
	w.skipMu.Lock()
	cp.Skipped = append([]Skipped{}, w.skipped[:skipped]...)
	w.skipMu.Unlock()
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	// A fixed temporary name, mode 0666 as os.Create: a leftover of an
	// interrupted run is replaced by the next checkpoint.
	tmp := filepath.Join(w.tmp, checkpointFile+".tmp")
	if err := atomicfile.WriteVia(filepath.Join(w.tmp, checkpointFile), tmp, 0o666, func(f io.Writer) error {
		_, err := f.Write(b)
		return err
	}); err != nil {
		return err
	}
	w.lastCP = time.Now()
	return nil
}

// maxCheckpointBytes bounds the checkpoint read back: its bulk is the
// skipped list, a few hundred bytes an input.
const maxCheckpointBytes = 256 << 20

// Resume reopens the partial dataset an interrupted run left for dir and
// returns a Writer positioned after its last checkpoint, with the number
// of inputs already consumed: the caller skips that many and adds the
// rest. opt must carry the interrupted run's Fingerprint. Like Create it
// locks dir. Every field of the checkpoint is checked, and every file is
// read back up to its checkpointed size and its hash compared with the
// checkpoint's, so damage is refused (the error says to start over) rather
// than published; bytes written after the checkpoint are cut off.
func Resume(dir string, opt Options) (*Writer, int, error) {
	dir = filepath.Clean(dir)
	tmp := PartialDir(dir)
	lock, err := lockOutput(dir)
	if err != nil {
		return nil, 0, err
	}
	w, err := resume(dir, tmp, opt, lock)
	if err != nil {
		lock.Release()
		return nil, 0, err
	}
	return w, w.inputs, nil
}

func resume(dir, tmp string, opt Options, lock *lockfile.Lock) (*Writer, error) {
	path := filepath.Join(tmp, checkpointFile)
	b, err := readLimited(path, maxCheckpointBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("pyramid: %s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	restart := "start over without resuming"
	cp, err := parseCheckpoint(b, datasetName(dir))
	if err != nil {
		return nil, fmt.Errorf("pyramid: %s: %v; %s", path, err, restart)
	}
	if cp.Fingerprint != opt.Fingerprint {
		return nil, fmt.Errorf("pyramid: %s was written from other inputs or settings: start over instead of resuming (%s)", tmp, restart)
	}
	if opt.Compression != None {
		return nil, fmt.Errorf("pyramid: compressed datasets cannot be resumed: %s", restart)
	}
	if err := checkEmpty(dir); err != nil {
		return nil, err
	}
	if err := checkFiles(tmp, cp); err != nil {
		return nil, fmt.Errorf("pyramid: %s does not match its checkpoint: %v; %s", tmp, err, restart)
	}
	w := newWriter(dir, opt, lock)
	w.resumed = cp
	w.added, w.inputs, w.written, w.skipped = cp.Images, cp.Inputs, cp.Images, cp.Skipped
	if err := w.start(cp.Channels, cp.Resolution, cp.LabelSize); err != nil {
		w.cleanupFiles()
		return nil, fmt.Errorf("%w; %s", err, restart)
	}
	return w, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a checkpoint of progan", path, limit)
	}
	return b, nil
}

// expectedFiles lists the files a checkpoint records, in the order the
// writer records them: the tiers from the full resolution down, then the
// raw label rows.
func expectedFiles(name string, res, labelSize int) []string {
	var names []string
	for r := res; r >= 4; r /= 2 {
		names = append(names, tierFile(name, r))
	}
	if labelSize > 0 {
		names = append(names, labelsFile(name)+".rows")
	}
	return names
}

// parseCheckpoint decodes a checkpoint of the dataset called name and
// checks that its fields hold together, within the writer's limits, before
// anything is sized or sliced by them. Files are not looked at.
func parseCheckpoint(b []byte, name string) (*checkpoint, error) {
	var cp checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, fmt.Errorf("unreadable checkpoint: %v", err)
	}
	switch {
	case cp.Format != checkpointFormat:
		return nil, fmt.Errorf("checkpoint format %q, want %q", cp.Format, checkpointFormat)
	case cp.Channels != 1 && cp.Channels != 3:
		return nil, fmt.Errorf("checkpoint: channels %d, want 1 or 3", cp.Channels)
	case cp.Resolution < 4 || cp.Resolution > MaxResolution || cp.Resolution&(cp.Resolution-1) != 0:
		return nil, fmt.Errorf("checkpoint: resolution %d, want a power of two from 4 to %d", cp.Resolution, MaxResolution)
	case cp.LabelSize < 0 || cp.LabelSize > MaxLabelSize:
		return nil, fmt.Errorf("checkpoint: label_size %d, want 0 to %d", cp.LabelSize, MaxLabelSize)
	case cp.Images < 0 || cp.Inputs < 0 || cp.Inputs-cp.Images != len(cp.Skipped):
		return nil, fmt.Errorf("checkpoint: %d inputs, %d images and %d skipped do not add up", cp.Inputs, cp.Images, len(cp.Skipped))
	}
	names := expectedFiles(name, cp.Resolution, cp.LabelSize)
	if len(cp.Files) != len(names) {
		return nil, fmt.Errorf("checkpoint lists %d files, want %d", len(cp.Files), len(names))
	}
	for i, e := range cp.Files {
		if e.Name != names[i] {
			return nil, fmt.Errorf("checkpoint lists file %q, want %q", e.Name, names[i])
		}
		// The writer writes records of one length per tier and rows of
		// label_size float32s.
		per := int64(4 * cp.LabelSize)
		if r := cp.Resolution >> i; i < len(names)-1 || cp.LabelSize == 0 {
			per = int64(tfrecord.ExampleLen(cp.Channels, r, r) + tfrecord.HeaderLen + tfrecord.FooterLen)
		}
		if int64(cp.Images) > math.MaxInt64/per || e.Size != int64(cp.Images)*per {
			return nil, fmt.Errorf("checkpoint: %s: %d bytes for %d images, want %d a record", e.Name, e.Size, cp.Images, per)
		}
		if len(e.Hash) != sha256StateLen || binary.BigEndian.Uint64(e.Hash[sha256StateLen-8:]) != uint64(e.Size) {
			return nil, fmt.Errorf("checkpoint: %s: hash state is not that of %d bytes", e.Name, e.Size)
		}
		if err := sha256.New().(encoding.BinaryUnmarshaler).UnmarshalBinary(e.Hash); err != nil {
			return nil, fmt.Errorf("checkpoint: %s: %v", e.Name, err)
		}
	}
	return &cp, nil
}

// sha256StateLen is the length of a marshalled SHA-256 state: a 4-byte
// magic, 8 words, a 64-byte block, the 8-byte length.
const sha256StateLen = 4 + 32 + 64 + 8

// checkFiles reads every file of cp back up to its checkpointed size,
// all at once, and compares the hash state with the checkpoint's: a file
// cut short or changed before that point is refused. (The state of a
// prefix is deterministic: the block buffer is marshalled zero-padded.)
func checkFiles(dir string, cp *checkpoint) error {
	errs := make([]error, len(cp.Files))
	var wg sync.WaitGroup
	for i, e := range cp.Files {
		wg.Go(func() {
			errs[i] = checkFile(filepath.Join(dir, e.Name), e)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkFile(path string, e checkpointed) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, bufio.NewReaderSize(io.LimitReader(f, e.Size), 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", e.Name, err)
	}
	if n < e.Size {
		return fmt.Errorf("%s: %d bytes, the checkpoint has %d", e.Name, n, e.Size)
	}
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return err
	}
	if !bytes.Equal(state, e.Hash) {
		return fmt.Errorf("%s: the first %d bytes changed since the checkpoint", e.Name, e.Size)
	}
	return nil
}

// reopen opens a file of the checkpoint (checked by checkFiles) for
// appending, cut back to its checkpointed size, with its hash state
// restored.
func (cp *checkpoint) reopen(dir, name string) (*sink, error) {
	for _, e := range cp.Files {
		if e.Name != name {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR, 0)
		if err != nil {
			return nil, err
		}
		s := &sink{f: f, name: name, sum: sha256.New(), size: e.Size}
		err = f.Truncate(e.Size)
		if err == nil {
			_, err = f.Seek(e.Size, io.SeekStart)
		}
		if err == nil {
			err = s.sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(e.Hash)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		s.buf = bufio.NewWriterSize(hashWriter{s}, 1<<20)
		return s, nil
	}
	return nil, fmt.Errorf("checkpoint does not list %s", name)
}

// Stop ends an interrupted run: it writes what was added, records a
// checkpoint and keeps the partial dataset for Resume (a compressed one,
// which cannot be resumed, is removed). It reports whether the partial
// dataset was kept. It releases the output's lock.
func (w *Writer) Stop() (kept bool, err error) {
	if w.closed {
		return false, nil
	}
	w.closed = true
	w.drain()
	defer w.unlock()
	if w.tiers == nil || w.opt.Compression != None || w.failed() != nil {
		return false, w.cleanup()
	}
	w.skipMu.Lock()
	n := len(w.skipped)
	w.skipMu.Unlock()
	if err := w.checkpoint(w.inputs, n); err != nil {
		w.cleanup()
		return false, fmt.Errorf("pyramid: checkpoint: %w", err)
	}
	w.cleanupFiles()
	return true, nil
}
