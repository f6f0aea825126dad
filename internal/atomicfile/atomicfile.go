// Package atomicfile writes files and folders so that they appear complete
// or not at all: the content goes to a hidden temporary beside the
// destination, is synced, and is then renamed into place. The temporary is
// removed when a write fails.
//
// Errors are returned as they come, without a prefix, so that each caller
// words them as its package does; an error of the caller's write function
// is returned unchanged.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Write writes path through write into a new hidden temporary file beside
// it (".base.tmpXXXX"), synced, closed and renamed over path, so that path
// holds the old file or the whole new one, never a part (a full disk
// included); the temporary file is removed on error. Unlike os.CreateTemp
// (mode 0600) the temporary file is created with mode 0666, as os.Create
// does, so that the umask decides. write receives the *os.File.
func Write(path string, write func(io.Writer) error) error {
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	return finish(f, path, write)
}

// WriteBytes writes b to path as Write does.
func WriteBytes(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteVia is Write through the fixed temporary name tmp, created or
// truncated with mode perm (before the umask), for a destination the
// caller holds a lock on: an interrupted run's leftover is then replaced
// by the next rather than left beside it.
func WriteVia(path, tmp string, perm fs.FileMode, write func(io.Writer) error) error {
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	return finish(f, path, write)
}

// finish writes f through write, syncs, closes and renames it to path,
// removing it on error.
func finish(f *os.File, path string, write func(io.Writer) error) error {
	err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// createTemp creates a new hidden file beside path, mode 0666.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		// The global source: a name draws nothing from a caller's
		// seeded random numbers.
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("creating a temporary file for %s: too many tries", path)
}

// CommitDir moves the finished folder tmp into place as dir, which must be
// absent or an empty folder (the caller checks: it is removed with
// os.Remove, which fails on a non-empty folder): it syncs tmp, removes
// dir, renames tmp to dir and syncs dir's parent so that the rename is
// durable. It does not remove tmp on error: the caller
// decides whether its content is kept.
func CommitDir(tmp, dir string) error {
	if err := SyncDir(tmp); err != nil {
		return err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(dir))
}

// SyncDir syncs the folder dir, making the creation, removal and renaming
// of its entries durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
