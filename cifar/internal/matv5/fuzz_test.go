package matv5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader reads mutated MAT-files, with their size known and hidden, and
// reads the data of every variable: a damaged file must give an error, never
// a panic, a hang or an allocation much larger than the file.
//
//	go test ./cifar/internal/matv5 -run '^$' -fuzz FuzzReader -fuzztime 30s
func FuzzReader(f *testing.F) {
	files, err := filepath.Glob("testdata/*.mat")
	if err != nil || len(files) == 0 {
		f.Fatal("no fixtures", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	f.Add(newBuilder(binary.BigEndian).bytes(), true)
	f.Fuzz(func(t *testing.T, b []byte, hide bool) {
		var in io.Reader = bytes.NewReader(b)
		if hide {
			in = hideSize{in}
		}
		r, err := NewReader(in)
		if err != nil {
			return
		}
		for i := 0; ; i++ {
			v, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("variable %d: Next: error of unexpected kind: %v", i, err)
				}
				return
			}
			var n int
			if v.Class == ClassUint8 && i%2 == 0 {
				var x []byte
				x, err = v.Uint8()
				n = len(x)
			} else {
				var x []float64
				x, err = v.Float64()
				n = len(x)
			}
			if err == nil && n != v.Len() {
				t.Fatalf("variable %q: %d values for dimensions %v", v.Name, n, v.Dims)
			}
			if err == nil && n > maxRatio*len(b) {
				t.Fatalf("variable %q: %d values from a file of %d bytes", v.Name, n, len(b))
			}
		}
	})
}
