// Package pth reads PyTorch state_dict files written by torch.save, such as
// the Inception v3 weights of torch-fidelity
// (weights-inception-2015-12-05-6726825d.pth) and pytorch-fid
// (pt_inception-2015-12-05-6726825d.pth): a dict or OrderedDict from names
// to tensors. It follows PyTorch's torch/serialization.py, which has written
// two formats.
//
// The zip format, the default since torch 1.6, is a zip archive whose
// members, stored uncompressed, lie in one folder, ARCHIVE/: data.pkl, the
// pickle of the object, in which each tensor refers to its storage by a
// persistent id ('storage', storage_type, key, location, numel);
// data/KEY, the raw elements of each storage; byteorder, "little" or
// "big", which newer versions write (little when it is absent); and
// version, which this package does not need.
//
// The legacy format, torch's before 1.6 and torch.save's with
// _use_new_zipfile_serialization=False, is a sequence of pickles: the magic
// number 0x1950a86a20f9469cfc6c, the protocol version 1001, a dict of system
// information, the pickle of the object, whose persistent ids have a sixth
// item, None, and the list of the storage keys; then each storage in the
// list's order, as an 8-byte little-endian element count followed by its
// elements, little-endian.
//
// The pickles are decoded by package internal/pickle, which interprets the
// few names a state_dict needs and refuses any other, so that a file cannot
// run code or build objects as torch.load can. Neither the tar format of
// torch's first releases nor storage views (a persistent id whose sixth item
// is not None) are read.
//
// Read and ReadFile take the file into memory once, and the tensors refer
// to that copy.
// Every size, offset and stride is checked against the length of its
// storage before anything else is allocated, so a hostile file makes Read
// fail with an error: it cannot make it panic or allocate much more than
// the file's size.
package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/pickle"
)

// A Tensor is one tensor of a state_dict. Its elements stay in the file's
// bytes, laid out as torch saved them, until Float32 or Int64 copies them
// out; a Tensor keeps those bytes in memory.
type Tensor struct {
	Dtype string // "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8" or "bool"
	Shape []int  // empty for a 0-d tensor, a scalar

	key     string
	storage string // its key in the file
	data    []byte // the whole storage
	offset  int    // of element 0 in the storage, in elements
	stride  []int  // in elements
	order   binary.ByteOrder
}

// elemSize is the size in bytes of an element of each dtype.
var elemSize = map[string]int{
	"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2,
	"int64": 8, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "bool": 1,
}

// Float32 returns the elements of a floating-point tensor in row-major
// order, converted to float32 as torch's Tensor.float() converts them:
// float16 and bfloat16 exactly, float64 rounded to nearest.
func (t *Tensor) Float32() ([]float32, error) {
	o := t.order
	var conv func(p []byte) float32
	switch t.Dtype {
	case "float32":
		conv = func(p []byte) float32 { return math.Float32frombits(o.Uint32(p)) }
	case "float64":
		conv = func(p []byte) float32 { return float32(math.Float64frombits(o.Uint64(p))) }
	case "float16":
		conv = func(p []byte) float32 { return halfToFloat32(o.Uint16(p)) }
	case "bfloat16":
		conv = func(p []byte) float32 { return math.Float32frombits(uint32(o.Uint16(p)) << 16) }
	default:
		return nil, fmt.Errorf("pth: tensor %q: dtype %s, not floating-point", t.key, t.Dtype)
	}
	out := make([]float32, 0, t.len())
	size := elemSize[t.Dtype]
	t.rows(func(start, stride, n int) {
		for i := range n {
			out = append(out, conv(t.data[(start+i*stride)*size:]))
		}
	})
	return out, nil
}

// Int64 returns the elements of an integer or bool tensor, such as the
// int64 num_batches_tracked of a batch norm layer, in row-major order.
func (t *Tensor) Int64() ([]int64, error) {
	o := t.order
	var conv func(p []byte) int64
	switch t.Dtype {
	case "int64":
		conv = func(p []byte) int64 { return int64(o.Uint64(p)) }
	case "int32":
		conv = func(p []byte) int64 { return int64(int32(o.Uint32(p))) }
	case "int16":
		conv = func(p []byte) int64 { return int64(int16(o.Uint16(p))) }
	case "int8":
		conv = func(p []byte) int64 { return int64(int8(p[0])) }
	case "uint8":
		conv = func(p []byte) int64 { return int64(p[0]) }
	case "bool":
		conv = func(p []byte) int64 { return int64(min(p[0], 1)) }
	default:
		return nil, fmt.Errorf("pth: tensor %q: dtype %s, not an integer or bool", t.key, t.Dtype)
	}
	out := make([]int64, 0, t.len())
	size := elemSize[t.Dtype]
	t.rows(func(start, stride, n int) {
		for i := range n {
			out = append(out, conv(t.data[(start+i*stride)*size:]))
		}
	})
	return out, nil
}

// len returns the number of elements, which Read has checked is at most
// the storage's.
func (t *Tensor) len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// rows calls f for each row of the innermost dimension in row-major order:
// n elements from storage element start on, stride apart.
func (t *Tensor) rows(f func(start, stride, n int)) {
	nd := len(t.Shape)
	if nd == 0 {
		f(t.offset, 1, 1)
		return
	}
	if t.len() == 0 {
		return
	}
	idx := make([]int, nd-1)
	start := t.offset
	for {
		f(start, t.stride[nd-1], t.Shape[nd-1])
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			start += t.stride[k]
			if idx[k] < t.Shape[k] {
				break
			}
			start -= idx[k] * t.stride[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// halfToFloat32 converts IEEE 754 binary16 bits to a float32, exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp, frac := uint32(h>>10)&0x1f, uint32(h)&0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	}
	v := float32(frac) / (1 << 24) // subnormal or zero, frac × 2⁻²⁴
	if sign != 0 {
		v = -v
	}
	return v
}

// ReadFile reads the state_dict in the file at path, which must be a
// regular file.
func ReadFile(path string) (map[string]*Tensor, error) {
	f, st, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err) // the error names the file
	}
	defer f.Close()
	m, err := read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	return m, nil
}

// Read reads the state_dict in the size bytes of r, in either format.
func Read(r io.ReaderAt, size int64) (map[string]*Tensor, error) {
	m, err := read(r, size)
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err)
	}
	return m, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	// The legacy magic number as pickle's LONG1 writes it.
	legacyMagic = []byte("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.")
)

func read(r io.ReaderAt, size int64) (map[string]*Tensor, error) {
	if size < 0 || uint64(size) > math.MaxInt {
		return nil, fmt.Errorf("size %d", size)
	}
	// Look at the start before reading a large file that is no state_dict.
	var head [16]byte
	n, err := r.ReadAt(head[:], 0)
	if n < len(head) && err != nil && (err != io.EOF || int64(n) != size) {
		return nil, fmt.Errorf("reading: %w", err)
	}
	zipped := bytes.HasPrefix(head[:n], zipMagic)
	if !zipped && (n == 0 || head[0] != 0x80) { // a pickle starts with PROTO
		return nil, fmt.Errorf("not a file of torch.save: neither a zip archive nor a pickle")
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(r, 0, size), data); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if zipped {
		return readZip(data)
	}
	return readLegacy(data)
}

// stateDict returns the tensors of obj, a dict, and their storages, each
// once by key, checking that the tensors that share a storage agree on
// its dtype and length, and that they have no more elements in all than
// the file has bytes: each tensor has no more than its storage, but many
// could view one storage, and copying them all out could then take much
// more memory than the file.
func stateDict(obj pickle.Value, size int) (map[string]*Tensor, map[string]*pickle.Storage, error) {
	dict, ok := obj.(*pickle.Dict)
	if !ok {
		return nil, nil, fmt.Errorf("the file holds a %s, want a state_dict (a dict of tensors)", pickle.TypeName(obj))
	}
	tensors := make(map[string]*Tensor, dict.Len())
	storages := make(map[string]*pickle.Storage)
	elements := 0
	for i := range dict.Len() {
		k, v := dict.Item(i)
		key := text(k) // pickle.Dict keys are str or bytes
		if _, dup := tensors[key]; dup {
			return nil, nil, fmt.Errorf("key %q twice", key) // as str and as bytes
		}
		pt, ok := v.(*pickle.Tensor)
		if !ok {
			return nil, nil, fmt.Errorf("tensor %q: a %s, not a tensor", key, pickle.TypeName(v))
		}
		s := pt.Storage
		if p, ok := storages[s.Key]; !ok {
			storages[s.Key] = s
		} else if p.Dtype != s.Dtype || p.Numel != s.Numel {
			return nil, nil, fmt.Errorf("tensor %q: storage %q of %d %s elements, elsewhere of %d %s", key, s.Key, s.Numel, s.Dtype, p.Numel, p.Dtype)
		}
		t := &Tensor{Dtype: s.Dtype, Shape: pt.Shape, key: key, storage: s.Key, offset: pt.Offset, stride: pt.Stride}
		if elements += t.len(); elements > size {
			return nil, nil, fmt.Errorf("tensor %q: the tensors have more elements than the file's %d bytes", key, size)
		}
		tensors[key] = t
	}
	return tensors, storages, nil
}

// readZip reads the zip format, whose members it finds through the central
// directory and refers to in data.
func readZip(data []byte) (map[string]*Tensor, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are only looked up, never opened
		return nil, fmt.Errorf("zip archive: %w", err)
	}
	prefix := ""
	for _, f := range zr.File {
		if dir, base, ok := strings.Cut(f.Name, "/"); ok && base == "data.pkl" {
			if prefix != "" {
				return nil, fmt.Errorf("zip archive with two data.pkl members, %s and %sdata.pkl", f.Name, prefix)
			}
			prefix = dir + "/"
		}
	}
	if prefix == "" {
		return nil, fmt.Errorf("zip archive without ARCHIVE/data.pkl")
	}
	members := make(map[string]*zip.File)
	for _, f := range zr.File {
		if name, ok := strings.CutPrefix(f.Name, prefix); ok {
			if members[name] != nil {
				return nil, fmt.Errorf("zip archive with two members %s", f.Name)
			}
			members[name] = f
		}
	}
	pkl, err := member(data, members["data.pkl"])
	if err != nil {
		return nil, err
	}
	obj, n, err := pickle.DecodeTorch(pkl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", members["data.pkl"].Name, err)
	}
	if n != len(pkl) {
		return nil, fmt.Errorf("%s: %d bytes after the pickle", members["data.pkl"].Name, len(pkl)-n)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if f := members["byteorder"]; f != nil {
		b, err := member(data, f)
		if err != nil {
			return nil, err
		}
		switch string(b) {
		case "little":
		case "big":
			order = binary.BigEndian
		default:
			return nil, fmt.Errorf("%s is %.20q, want \"little\" or \"big\"", f.Name, b)
		}
	}
	tensors, storages, err := stateDict(obj, len(data))
	if err != nil {
		return nil, err
	}
	bufs := make(map[string][]byte, len(storages))
	for key, s := range storages {
		f := members["data/"+key]
		if f == nil {
			return nil, fmt.Errorf("storage %q: no member %sdata/%s", key, prefix, key)
		}
		if size := uint64(elemSize[s.Dtype]); f.UncompressedSize64%size != 0 || f.UncompressedSize64/size != uint64(s.Numel) {
			return nil, fmt.Errorf("storage %q: %s has %d bytes, want %d %s elements", key, f.Name, f.UncompressedSize64, s.Numel, s.Dtype)
		}
		if bufs[key], err = member(data, f); err != nil {
			return nil, err
		}
	}
	return finish(tensors, bufs, order), nil
}

// member returns the bytes of a stored member of the zip archive in data,
// checking its CRC-32.
func member(data []byte, f *zip.File) ([]byte, error) {
	if f.Method != zip.Store || f.CompressedSize64 != f.UncompressedSize64 {
		return nil, fmt.Errorf("%s: compressed (method %d); torch.save stores members uncompressed", f.Name, f.Method)
	}
	off, err := f.DataOffset()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if off < 0 || off > int64(len(data)) || f.CompressedSize64 > uint64(int64(len(data))-off) {
		return nil, fmt.Errorf("%s: %d bytes at offset %d, past the end of the file", f.Name, f.CompressedSize64, off)
	}
	b := data[off : off+int64(f.CompressedSize64)]
	if crc32.ChecksumIEEE(b) != f.CRC32 {
		return nil, fmt.Errorf("%s: CRC-32 mismatch", f.Name)
	}
	return b, nil
}

// readLegacy reads the legacy format.
func readLegacy(data []byte) (map[string]*Tensor, error) {
	pos, ok := magic(data)
	if !ok {
		return nil, fmt.Errorf("not a file of torch.save: a pickle, but not of its magic number")
	}
	next := func(what string) (pickle.Value, error) {
		v, n, err := pickle.DecodeTorch(data[pos:])
		if err != nil {
			return nil, fmt.Errorf("%s, the pickle at offset %d: %w", what, pos, err)
		}
		pos += n
		return v, nil
	}
	version, err := next("protocol version")
	if err != nil {
		return nil, err
	}
	if version != pickle.Value(int64(1001)) {
		return nil, fmt.Errorf("protocol version %v, want 1001", version)
	}
	if _, err := next("system information"); err != nil {
		return nil, err
	}
	obj, err := next("object")
	if err != nil {
		return nil, err
	}
	keys, err := next("storage keys")
	if err != nil {
		return nil, err
	}
	tensors, storages, err := stateDict(obj, len(data))
	if err != nil {
		return nil, err
	}
	list, ok := keys.(*pickle.List)
	if !ok || len(list.Items) != len(storages) {
		return nil, fmt.Errorf("storage keys are a %s, want a list of the %d keys the tensors use", pickle.TypeName(keys), len(storages))
	}
	bufs := make(map[string][]byte, len(storages))
	for _, k := range list.Items {
		key := text(k)
		s := storages[key]
		if s == nil || bufs[key] != nil {
			return nil, fmt.Errorf("storage keys: %s %.40q unused or listed twice", pickle.TypeName(k), key)
		}
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("storage %q: truncated at offset %d", key, pos)
		}
		count := binary.LittleEndian.Uint64(data[pos:])
		pos += 8
		size := elemSize[s.Dtype]
		if count != uint64(s.Numel) {
			return nil, fmt.Errorf("storage %q: %d elements at offset %d, want %d", key, count, pos-8, s.Numel)
		}
		if uint64(len(data)-pos)/uint64(size) < count {
			return nil, fmt.Errorf("storage %q: truncated: %d %s elements at offset %d, %d bytes left", key, count, s.Dtype, pos, len(data)-pos)
		}
		n := int(count) * size
		bufs[key] = data[pos : pos+n : pos+n]
		pos += n
	}
	if pos != len(data) {
		return nil, fmt.Errorf("%d bytes after the last storage", len(data)-pos)
	}
	return finish(tensors, bufs, binary.LittleEndian), nil
}

// text returns the text of a str or, as Python 2 wrote str, bytes value,
// or "" for any other value.
func text(v pickle.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// magic returns the length of the pickle of the legacy magic number at the
// start of data, in any protocol from 2: PROTO, a FRAME from protocol 4,
// then LONG1 and STOP.
func magic(data []byte) (int, bool) {
	if len(data) < 2 || data[0] != 0x80 || data[1] < 2 {
		return 0, false
	}
	n := 2
	if len(data) > n && data[n] == 0x95 { // FRAME and its 8-byte length
		n += 9
	}
	if len(data) < n || !bytes.HasPrefix(data[n:], legacyMagic) {
		return 0, false
	}
	return n + len(legacyMagic), true
}

// finish gives each tensor its storage's bytes, whose length stateDict's
// callers have checked against the storage's numel, which DecodeTorch has
// checked the view against.
func finish(tensors map[string]*Tensor, bufs map[string][]byte, order binary.ByteOrder) map[string]*Tensor {
	for _, t := range tensors {
		t.data = bufs[t.storage]
		t.order = order
	}
	return tensors
}
