package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var sample = []Tensor{
	{Name: "b", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, float32(math.Inf(-1))}},
	{Name: "a", Shape: []int{1}, Data: []float32{-0.5}},
	{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
	{Name: "scalar", Shape: []int{}, Data: []float32{7}},
}

// TestGoldenHeader pins the exact bytes of a header: metadata first, then
// tensors by name, offsets in that order, padded with spaces to 8 bytes.
func TestGoldenHeader(t *testing.T) {
	h, err := Header(sample, map[string]string{"format": "pt", "a": "x"})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"__metadata__":{"a":"x","format":"pt"},` +
		`"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},` +
		`"b":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]},` +
		`"empty":{"dtype":"F32","shape":[0,4],"data_offsets":[28,28]},` +
		`"scalar":{"dtype":"F32","shape":[],"data_offsets":[28,32]}}`
	pad := want + "       "[:(8-len(want)%8)%8]
	if n := binary.LittleEndian.Uint64(h); n != uint64(len(pad)) || string(h[8:]) != pad {
		t.Errorf("header\n%d %q\nwant\n%d %q", n, h[8:], len(pad), pad)
	}
	if (len(h)-8)%8 != 0 {
		t.Errorf("header length %d not a multiple of 8", len(h)-8)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		meta map[string]string
	}{
		{"metadata", map[string]string{"config": `{"x":1}`, "ünïcode": "✓"}},
		{"no metadata", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.safetensors")
			if err := WriteFile(path, sample, tc.meta); err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Metadata) != len(tc.meta) {
				t.Errorf("metadata %v, want %v", f.Metadata, tc.meta)
			}
			for k, v := range tc.meta {
				if f.Metadata[k] != v {
					t.Errorf("metadata %q = %q, want %q", k, f.Metadata[k], v)
				}
			}
			if len(f.Tensors) != len(sample) {
				t.Fatalf("%d tensors, want %d", len(f.Tensors), len(sample))
			}
			for _, want := range sample {
				got, ok := f.Tensor(want.Name)
				if !ok || !slices.Equal(got.Shape, want.Shape) || !slices.Equal(got.Data, want.Data) {
					t.Errorf("tensor %q = %+v, want %+v", want.Name, got, want)
				}
			}
			meta, err := ReadMetadata(path)
			if err != nil || len(meta) != len(tc.meta) {
				t.Errorf("ReadMetadata = %v, %v", meta, err)
			}
			// No temporary file is left beside it.
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("folder holds %d files, want 1", len(entries))
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, sample[:2], nil); err != nil {
		t.Fatal(err)
	}
	header := func(json string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(json)))
		return append(append(b, json...), make([]byte, data)...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"short", []byte{1, 2}},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<40)},
		{"truncated data", good.Bytes()[:good.Len()-1]},
		{"extra data", append(slices.Clone(good.Bytes()), 0, 0, 0, 0)},
		{"not json", header("{x", 0)},
		{"metadata not strings", header(`{"__metadata__":{"a":1}}`, 0)},
		{"f16", header(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2)},
		{"gap", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"overlap", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"size mismatch", header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8)},
		{"negative shape", header(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, 0)},
		{"unknown field", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4)},
	} {
		if _, err := Read(tc.b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want ErrFormat", tc.name, err)
		}
	}
	if _, err := Header([]Tensor{{Name: "a", Shape: []int{2}, Data: []float32{1}}}, nil); err == nil {
		t.Error("Header accepted a shape that does not match the data")
	}
	if _, err := Header([]Tensor{{Name: "a", Data: []float32{}}, {Name: "a", Data: []float32{}}}, nil); err == nil {
		t.Error("Header accepted a repeated name")
	}
}

func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	Write(&good, sample, map[string]string{"k": "v"})
	f.Add(good.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(b)
		if err != nil {
			return
		}
		var again bytes.Buffer
		if err := Write(&again, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("re-encoding a file that decoded: %v", err)
		}
	})
}
