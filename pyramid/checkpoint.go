package pyramid

import (
	"bufio"
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
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
	tmp := filepath.Join(w.tmp, checkpointFile+".tmp")
	if err := writeFileSync(tmp, b); err != nil {
		return err
	}
	w.lastCP = time.Now()
	return os.Rename(tmp, filepath.Join(w.tmp, checkpointFile))
}

// Resume reopens the partial dataset an interrupted run left for dir and
// returns a Writer positioned after its last checkpoint, with the number
// of inputs already consumed: the caller skips that many and adds the
// rest. opt must carry the interrupted run's Fingerprint.
func Resume(dir string, opt Options) (*Writer, int, error) {
	dir = filepath.Clean(dir)
	tmp := PartialDir(dir)
	b, err := os.ReadFile(filepath.Join(tmp, checkpointFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("pyramid: %s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("pyramid: %w", err)
	}
	var cp checkpoint
	if err := json.Unmarshal(b, &cp); err != nil || cp.Format != checkpointFormat {
		return nil, 0, fmt.Errorf("pyramid: %s: unreadable checkpoint (%v): start over", tmp, err)
	}
	if cp.Fingerprint != opt.Fingerprint {
		return nil, 0, fmt.Errorf("pyramid: %s was written from other inputs or settings: start over instead of resuming", tmp)
	}
	if opt.Compression != None {
		return nil, 0, fmt.Errorf("pyramid: compressed datasets cannot be resumed: start over")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, 0, fmt.Errorf("pyramid: %s: %w", dir, ErrExists)
	}
	w, err := newWriter(dir, opt)
	if err != nil {
		return nil, 0, err
	}
	w.resumed = &cp
	w.added, w.inputs, w.written, w.skipped = cp.Images, cp.Inputs, cp.Images, cp.Skipped
	if err := w.start(cp.Channels, cp.Resolution, cp.LabelSize); err != nil {
		w.cleanupFiles()
		return nil, 0, err
	}
	return w, cp.Inputs, nil
}

// reopen opens a file of the checkpoint for appending, cut back to its
// checkpointed size, with its hash state restored.
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
// dataset was kept.
func (w *Writer) Stop() (kept bool, err error) {
	if w.closed {
		return false, nil
	}
	w.closed = true
	w.drain()
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
