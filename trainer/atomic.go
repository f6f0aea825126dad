package trainer

import (
	"fmt"
	"io"

	"github.com/progan/progan/internal/atomicfile"
)

// writeFileAtomic writes path through write with atomicfile.Write: path
// holds the old file or the whole new one, never a part (a full disk
// included), and the file's mode is 0666 less the umask, as every other
// file of the run.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("trainer: writing %s: %w", path, err)
	}
	return nil
}

// writeAtomic writes b to path atomically.
func writeAtomic(path string, b []byte) error {
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("trainer: writing %s: %w", path, err)
	}
	return nil
}
