package npy

import (
	"fmt"
	"io"
)

// WriteHeader writes the header np.save gives a C-ordered float32 array of
// shape (rows, cols): a writer that streams the rows itself follows it
// with rows·cols little-endian float32 values.
func WriteHeader(w io.Writer, rows, cols int) error {
	if rows < 0 || cols < 0 {
		return fmt.Errorf("npy: negative shape (%d, %d)", rows, cols)
	}
	_, err := w.Write(appendHeader(nil, rows, cols))
	return err
}
