package trainer

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

// createTemp creates a new hidden file beside path for an atomic write.
// Unlike os.CreateTemp (mode 0600) it asks for 0666, as os.Create does,
// so that the umask decides: checkpoints and grids get the same mode as
// every other file of the run.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		// The global source, not a run's streams: a name draws nothing
		// from the training's random numbers.
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("creating a temporary file for %s: too many tries", path)
}

// writeFileAtomic writes path through write into a temporary file, synced
// and renamed over path, so that path holds the old file or the whole new
// one, never a part (a full disk included); the temporary file is removed
// on error.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("trainer: writing %s: %w", path, err)
	}
	err = write(f)
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
		return fmt.Errorf("trainer: writing %s: %w", path, err)
	}
	return nil
}

// writeAtomic writes b to path atomically.
func writeAtomic(path string, b []byte) error {
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
