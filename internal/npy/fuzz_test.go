package npy

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// FuzzRead checks that Read never panics, never allocates much more memory
// than its input holds, behaves the same on a stream of unknown length, and
// that what it accepts survives a round trip through Write.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.npy"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Allowance for small allocations: decoding buffers, the parsed header,
	// error messages.
	const slack = 64 << 10
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Read(bytes.NewReader(in))
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 4*uint64(len(in))+slack {
			t.Fatalf("Read allocated %d bytes for %d bytes of input", n, len(in))
		}

		// A stream of unknown length is read in growing chunks, which may
		// take up to twice as much memory.
		runtime.ReadMemStats(&before)
		m2, err2 := Read(struct{ io.Reader }{bytes.NewReader(in)})
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 8*uint64(len(in))+slack {
			t.Fatalf("Read of a stream allocated %d bytes for %d bytes of input", n, len(in))
		}
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("Read of bytes.Reader and stream differ: %v vs %v", err, err2)
		}

		h, herr := ReadHeader(bytes.NewReader(in))
		if err == nil && herr != nil {
			t.Fatalf("Read succeeded but ReadHeader failed: %v", herr)
		}
		if err != nil {
			return
		}
		if !sameMatrix(m, m2) {
			t.Fatalf("Read of bytes.Reader and stream differ: %v vs %v", m, m2)
		}
		if m.Rows < 0 || m.Cols < 0 || len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("Read returned an invalid matrix: %dx%d with %d values", m.Rows, m.Cols, len(m.Data))
		}
		if want := h.Shape; !reflect.DeepEqual([]int{m.Rows, m.Cols}, want) && !reflect.DeepEqual([]int{m.Rows}, want) {
			t.Fatalf("Read returned %dx%d for shape %v", m.Rows, m.Cols, want)
		}
		var buf bytes.Buffer
		if err := Write(&buf, m); err != nil {
			t.Fatalf("Write of a matrix from Read: %v", err)
		}
		back, err := Read(&buf)
		if err != nil {
			t.Fatalf("Read of Write output: %v", err)
		}
		if !sameMatrix(m, back) {
			t.Fatalf("round trip changed %v to %v", m, back)
		}
	})
}
