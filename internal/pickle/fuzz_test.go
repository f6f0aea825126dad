package pickle

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzDecode checks that Decode never panics, takes time and memory in
// proportion to its input, and that the accessors work on whatever arrays
// it accepts.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pickle"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		f.Add(readFile(f, filepath.Base(name)))
	}
	// Allowance for the fixed costs: the memo map, error messages.
	const slack = 64 << 10
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		v, err := Decode(in)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		// Each input byte may make a stack slot, a memo entry and a small
		// value: about 100 bytes at most.
		if n := after.TotalAlloc - before.TotalAlloc; n > 128*uint64(len(in))+slack {
			t.Fatalf("Decode allocated %d bytes for %d bytes of input", n, len(in))
		}
		if elapsed > time.Second+time.Duration(len(in))*time.Microsecond {
			t.Fatalf("Decode took %v for %d bytes", elapsed, len(in))
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			return
		}
		w := walker{seen: make(map[any]bool), budget: 4*len(in) + 100}
		w.visit(v)
	})
}

// walker calls the accessors of the arrays and lists in a value, each
// object once: through the memo a value can contain itself, or the same
// object many times.
type walker struct {
	seen   map[any]bool
	budget int // values left to visit: tuples can share items at every level
}

func (w *walker) visit(v Value) {
	if w.budget--; w.budget < 0 {
		return
	}
	switch v.(type) {
	case *Array, *List, *Dict:
		if w.seen[v] {
			return
		}
		w.seen[v] = true
	}
	switch v := v.(type) {
	case *Array:
		if len(v.Data) != v.Len()*v.Dtype.Size {
			panic("array data does not match its shape")
		}
		v.Uint8()
		v.Ints()
		v.Floats()
	case *List:
		Ints(v)
		for _, x := range v.Items {
			w.visit(x)
		}
	case Tuple:
		for _, x := range v {
			w.visit(x)
		}
	case *Dict:
		for i := range v.Len() {
			k, x := v.Item(i)
			w.visit(k)
			w.visit(x)
		}
	}
}
