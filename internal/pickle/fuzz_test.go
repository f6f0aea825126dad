package pickle

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzDecode checks that Decode and DecodeTorch never panic, take time and
// memory in proportion to their input, and that the accessors work on
// whatever arrays Decode accepts and the tensors DecodeTorch accepts lie in
// their storages.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pickle"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		f.Add(readFile(f, filepath.Base(name)))
	}
	for _, s := range torchSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		check(t, "Decode", in, func() (Value, error) { return Decode(in) })
		check(t, "DecodeTorch", in, func() (Value, error) {
			v, n, err := DecodeTorch(in)
			if err == nil && (n <= 0 || n > len(in) || in[n-1] != opStop) {
				t.Fatalf("DecodeTorch took %d of %d bytes", n, len(in))
			}
			return v, err
		})
	})
}

// check runs one decoder on in and walks what it returns.
func check(t *testing.T, name string, in []byte, decode func() (Value, error)) {
	// Allowance for the fixed costs: the memo map, error messages.
	const slack = 64 << 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	v, err := decode()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	// Each input byte may make a stack slot, a memo entry and a small
	// value: about 100 bytes at most.
	if n := after.TotalAlloc - before.TotalAlloc; n > 128*uint64(len(in))+slack {
		t.Fatalf("%s allocated %d bytes for %d bytes of input", name, n, len(in))
	}
	if elapsed > time.Second+time.Duration(len(in))*time.Microsecond {
		t.Fatalf("%s took %v for %d bytes", name, elapsed, len(in))
	}
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("%s: error %v is a %T, want *Error", name, err, err)
		}
		return
	}
	w := walker{seen: make(map[any]bool), budget: 4*len(in) + 100}
	w.visit(v)
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
	case *Array, *List, *Dict, *Tensor:
		if w.seen[v] {
			return
		}
		w.seen[v] = true
	}
	switch v := v.(type) {
	case *Tensor:
		if msg := viewError(v.Offset, v.Shape, v.Stride, v.Storage.Numel); msg != "" || len(v.Shape) != len(v.Stride) {
			panic("tensor outside its storage: " + msg)
		}
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
