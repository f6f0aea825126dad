// Package safetensors reads and writes float32 tensors in the safetensors
// format (github.com/huggingface/safetensors), which the trainer uses for
// its checkpoints: loadable from Python with safetensors.numpy.load_file
// or safetensors.torch.load_file, and safe to read (no code, bounded
// header).
//
// A file is an 8-byte little-endian header length n, n bytes of JSON, and
// the data. The JSON maps each tensor name to {"dtype", "shape",
// "data_offsets": [begin, end]}, offsets into the data that follows the
// header, and may hold "__metadata__", a map of strings. Tensors are
// little-endian and contiguous, row-major, without gaps. As the reference
// writer does, this package writes "__metadata__" first, then the tensors
// sorted by name with their data in the same order, and pads the header
// with spaces to a multiple of 8 bytes. Only dtype "F32" is written or
// read.
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/internal/atomicfile"
)

// Tensor is a named float32 array.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// File is the content of a safetensors file.
type File struct {
	Metadata map[string]string
	Tensors  []Tensor // sorted by name
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (Tensor, bool) {
	i, ok := slices.BinarySearchFunc(f.Tensors, name, func(t Tensor, n string) int { return strings.Compare(t.Name, n) })
	if !ok {
		return Tensor{}, false
	}
	return f.Tensors[i], true
}

// MaxHeader bounds the header a reader accepts, as the reference
// implementation does (100 MB).
const MaxHeader = 100 << 20

// ErrFormat reports a file that is not valid safetensors, or holds a dtype
// other than F32.
var ErrFormat = errors.New("safetensors: malformed file")

type entry struct {
	Dtype   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Header returns the encoded header of a file holding tensors and
// metadata, length prefix included.
func Header(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	ts := sorted(tensors)
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		m, err := json.Marshal(metadata) // keys sorted
		if err != nil {
			return nil, err
		}
		b.WriteString(`"__metadata__":`)
		b.Write(m)
	}
	var off int64
	for i, t := range ts {
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("safetensors: tensor %q: negative dimension in %v", t.Name, t.Shape)
			}
			n *= d
		}
		if n != len(t.Data) {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v holds %d values, data %d", t.Name, t.Shape, n, len(t.Data))
		}
		if t.Name == "__metadata__" || (i > 0 && ts[i-1].Name == t.Name) {
			return nil, fmt.Errorf("safetensors: tensor name %q reserved or repeated", t.Name)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		e, err := json.Marshal(entry{Dtype: "F32", Shape: shape, Offsets: [2]int64{off, off + 4*int64(n)}})
		if err != nil {
			return nil, err
		}
		name, _ := json.Marshal(t.Name)
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(e)
		off += 4 * int64(n)
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(b.Len()))
	return append(out, b.Bytes()...), nil
}

func sorted(tensors []Tensor) []Tensor {
	ts := slices.Clone(tensors)
	slices.SortStableFunc(ts, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return ts
}

// Write writes tensors and metadata (nil for none) to w.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	h, err := Header(tensors, metadata)
	if err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range sorted(tensors) {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return fmt.Errorf("safetensors: %w", err)
				}
				buf = buf[:0]
			}
		}
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// WriteFile writes the file at path atomically: into a temporary file in
// the same folder, synced, then renamed over path, so that path holds the
// old file or the complete new one whenever the process stops. The file's
// mode is 0666 less the umask, as with os.Create.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	var werr error
	err := atomicfile.Write(path, func(w io.Writer) error {
		werr = Write(w, tensors, metadata)
		return werr
	})
	if err != nil {
		if err == werr {
			return err // already worded by Write
		}
		return fmt.Errorf("safetensors: %w", err)
	}
	// Make the rename itself durable.
	atomicfile.SyncDir(filepath.Dir(path))
	return nil
}

// ReadFile reads the file at path.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := Read(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// ReadMetadata reads only the header of the file at path and returns its
// metadata.
func ReadMetadata(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	var n [8]byte
	if _, err := io.ReadFull(f, n[:]); err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, ErrFormat)
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > MaxHeader {
		return nil, fmt.Errorf("safetensors: %s: header of %d bytes: %w", path, size, ErrFormat)
	}
	h := make([]byte, size)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, fmt.Errorf("safetensors: %s: header: %w", path, ErrFormat)
	}
	meta, _, err := parseHeader(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return meta, nil
}

// Read decodes a whole file held in b.
func Read(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrFormat, len(b))
	}
	size := binary.LittleEndian.Uint64(b)
	if size > MaxHeader || size > uint64(len(b)-8) {
		return nil, fmt.Errorf("%w: header of %d bytes in a file of %d", ErrFormat, size, len(b))
	}
	meta, entries, err := parseHeader(b[8 : 8+size])
	if err != nil {
		return nil, err
	}
	data := b[8+size:]
	f := &File{Metadata: meta}
	// Tensors must tile the data exactly: sort by offset and check.
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		ea, eb := entries[a].Offsets, entries[b].Offsets
		return cmp.Or(cmp.Compare(ea[0], eb[0]), cmp.Compare(ea[1], eb[1]))
	})
	var end int64
	for _, name := range names {
		e := entries[name]
		if e.Dtype != "F32" {
			return nil, fmt.Errorf("%w: tensor %q has dtype %q, want F32", ErrFormat, name, e.Dtype)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && n > math.MaxInt64/4/int64(d)) {
				return nil, fmt.Errorf("%w: tensor %q has shape %v", ErrFormat, name, e.Shape)
			}
			n *= int64(d)
		}
		if e.Offsets[0] != end || e.Offsets[1]-e.Offsets[0] != 4*n || e.Offsets[1] > int64(len(data)) {
			return nil, fmt.Errorf("%w: tensor %q: offsets %v for shape %v (data %d bytes, previous end %d)",
				ErrFormat, name, e.Offsets, e.Shape, len(data), end)
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[e.Offsets[0]+4*int64(i):]))
		}
		f.Tensors = append(f.Tensors, Tensor{Name: name, Shape: e.Shape, Data: vals})
		end = e.Offsets[1]
	}
	if end != int64(len(data)) {
		return nil, fmt.Errorf("%w: %d bytes of data, tensors cover %d", ErrFormat, len(data), end)
	}
	f.Tensors = sorted(f.Tensors)
	return f, nil
}

func parseHeader(h []byte) (map[string]string, map[string]entry, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(h, &raw); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("%w: __metadata__ is not a map of strings: %v", ErrFormat, err)
		}
		delete(raw, "__metadata__")
	}
	entries := make(map[string]entry, len(raw))
	for name, r := range raw {
		var e entry
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("%w: tensor %q: %v", ErrFormat, name, err)
		}
		entries[name] = e
	}
	return meta, entries, nil
}
