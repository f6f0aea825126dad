package pth

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FuzzRead checks that Read never panics nor allocates much more memory
// than its input holds, and that Float32 or Int64 reads every tensor it
// accepts, within the same bound.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pth"))
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
	// Allowance for the fixed costs: the zip reader, maps, error messages.
	const slack = 256 << 10
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(bytes.NewReader(in), int64(len(in)))
		runtime.ReadMemStats(&after)
		// The copy of the input, the zip directory and the pickle's values
		// (see internal/pickle's FuzzDecode).
		if n := after.TotalAlloc - before.TotalAlloc; n > 160*uint64(len(in))+slack {
			t.Fatalf("Read allocated %d bytes for %d bytes of input (%v)", n, len(in), err)
		}
		// Read again, and copy every tensor out: at most 8 bytes for each of
		// at most len(in) elements.
		runtime.ReadMemStats(&before)
		readAll(t, in)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 168*uint64(len(in))+slack {
			t.Fatalf("Read and the copies allocated %d bytes for %d bytes of input", n, len(in))
		}
	})
}
