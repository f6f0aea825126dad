package pickle

import (
	"fmt"
	"math"
	"math/bits"
)

// DecodeTorch decodes the pickle at the start of data as torch.save writes
// it and returns it with the number of bytes it takes, through its STOP
// opcode: the legacy format of torch.save writes several pickles in a row.
// Instead of the numpy names that Decode allows, it allows the persistent
// ids and names of a state_dict, as the package comment lists them: a
// persistent id becomes a *Storage (its sixth item in the legacy format,
// view_metadata, must be None: no storage views), _rebuild_tensor_v2 and
// _rebuild_parameter a *Tensor, OrderedDict() a *Dict, whose attributes
// BUILD drops. The persistent id opcode of protocol 0, PERSID, stays
// refused: its id is a line of text, not the tuple torch.save writes. Each
// tensor must lie within its storage's numel elements and have no more
// elements than it has.
func DecodeTorch(data []byte) (v Value, n int, err error) {
	d := &decoder{torch: true, data: data, memo: make(map[uint32]Value), budget: len(data)}
	v, err = d.run()
	if err != nil {
		return nil, 0, err
	}
	return v, d.pos, nil
}

// A Storage is what a persistent id of torch.save refers to: Numel
// elements of Dtype, which the file keeps outside the pickle under the
// name Key.
type Storage struct {
	Dtype    string // "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8" or "bool"
	Key      string
	Location string // the device it was saved from, such as "cpu" or "cuda:0"
	Numel    int
}

// A Tensor is a torch.Tensor or torch.nn.Parameter, as _rebuild_tensor_v2
// makes it: a view of Storage whose element (i0, i1, …) is the storage's
// element Offset + i0*Stride[0] + i1*Stride[1] + …. A 0-d tensor (a
// scalar) has an empty Shape.
type Tensor struct {
	Storage *Storage
	Offset  int
	Shape   []int
	Stride  []int
}

// The names DecodeTorch allows besides storageTypes.
var (
	gOrderedDict      = Global{"collections", "OrderedDict"}
	gRebuildTensor    = Global{"torch._utils", "_rebuild_tensor_v2"}
	gRebuildParameter = Global{"torch._utils", "_rebuild_parameter"}
)

// storageTypes maps the storage classes of persistent ids to the dtypes of
// their elements (torch.FloatStorage.dtype is torch.float32).
var storageTypes = map[Global]string{
	{"torch", "DoubleStorage"}:   "float64",
	{"torch", "FloatStorage"}:    "float32",
	{"torch", "HalfStorage"}:     "float16",
	{"torch", "BFloat16Storage"}: "bfloat16",
	{"torch", "LongStorage"}:     "int64",
	{"torch", "IntStorage"}:      "int32",
	{"torch", "ShortStorage"}:    "int16",
	{"torch", "CharStorage"}:     "int8",
	{"torch", "ByteStorage"}:     "uint8",
	{"torch", "BoolStorage"}:     "bool",
}

// persistentLoad returns the storage a persistent id refers to.
func (d *decoder) persistentLoad(pid Value) (Value, error) {
	t, ok := pid.(Tuple)
	if !ok || (len(t) != 5 && len(t) != 6) || !isText(t[0], "storage") {
		return nil, d.errorf("persistent id %s, want ('storage', storage_type, key, location, numel)", describe(pid))
	}
	g, _ := t[1].(Global)
	dtype, ok := storageTypes[g]
	if !ok {
		return nil, d.errorf("persistent id with storage type %s", describe(t[1]))
	}
	key, ok1 := text(t[2])
	loc, ok2 := text(t[3])
	if !ok1 || !ok2 || len(key) > maxKey || len(loc) > maxKey {
		return nil, d.errorf("persistent id with key %s and location %s, want short strs", describe(t[2]), describe(t[3]))
	}
	numel, ok := t[4].(int64)
	if !ok || numel < 0 || uint64(numel) > math.MaxInt {
		return nil, d.errorf("persistent id with numel %s", describe(t[4]))
	}
	if len(t) == 6 && t[5] != nil {
		// A view of part of a storage, which old versions of torch saved.
		return nil, d.errorf("storage views (view_metadata %s) are not supported", describe(t[5]))
	}
	return &Storage{Dtype: dtype, Key: key, Location: loc, Numel: int(numel)}, nil
}

// reduceTorch returns fn(*args) for the callables DecodeTorch allows.
func (d *decoder) reduceTorch(g Global, t Tuple) (Value, error) {
	switch g {
	case gOrderedDict:
		if len(t) != 0 {
			return nil, d.errorf("%s with %d arguments, only OrderedDict() is allowed", g, len(t))
		}
		return &Dict{ordered: true}, nil
	case gRebuildTensor:
		return d.rebuildTensor(t)
	case gRebuildParameter:
		if len(t) != 3 || !isTensor(t[0]) || !isFlag(t[1]) || !isEmptyDict(t[2]) {
			return nil, d.errorf("%s%s: want (tensor, requires_grad, OrderedDict())", g, describeArgs(t))
		}
		return t[0], nil
	}
	return nil, d.errorf("%s may not be called", g)
}

// rebuildTensor implements _rebuild_tensor_v2(storage, storage_offset,
// size, stride, requires_grad, backward_hooks[, metadata]).
func (d *decoder) rebuildTensor(t Tuple) (Value, error) {
	if len(t) != 6 && len(t) != 7 {
		return nil, d.errorf("%s with %d arguments, want 6 or 7", gRebuildTensor, len(t))
	}
	s, ok := t[0].(*Storage)
	if !ok {
		return nil, d.errorf("%s: storage is a %s", gRebuildTensor, TypeName(t[0]))
	}
	off, ok := t[1].(int64)
	if !ok || off < 0 || uint64(off) > math.MaxInt {
		return nil, d.errorf("%s: storage offset %s", gRebuildTensor, describe(t[1]))
	}
	size, ok1 := t[2].(Tuple)
	stride, ok2 := t[3].(Tuple)
	if !ok1 || !ok2 || len(size) != len(stride) || len(size) > maxDims {
		return nil, d.errorf("%s: size %s and stride %s, want tuples of as many ints, at most %d", gRebuildTensor, describe(t[2]), describe(t[3]), maxDims)
	}
	// The memo lets a pickle repeat a call in a few bytes: the dimensions
	// of all tensors together may not outnumber the pickle's bytes.
	if d.budget -= len(size); d.budget < 0 {
		return nil, d.errorf("more tensor dimensions than the pickle has bytes")
	}
	shape, ok1 := ints(size)
	strides, ok2 := ints(stride)
	if !ok1 || !ok2 {
		return nil, d.errorf("%s: size %s and stride %s, want non-negative ints", gRebuildTensor, describe(t[2]), describe(t[3]))
	}
	if !isFlag(t[4]) {
		return nil, d.errorf("%s: requires_grad is a %s, want a bool", gRebuildTensor, TypeName(t[4]))
	}
	// Torch never saves hooks; metadata, when there is any, holds flags
	// such as a negative view's, which would change the values.
	if !isEmptyDict(t[5]) || (len(t) == 7 && !isEmptyDict(t[6])) {
		return nil, d.errorf("%s: backward hooks or metadata %s, want empty dicts", gRebuildTensor, describe(t[len(t)-1]))
	}
	if msg := viewError(int(off), shape, strides, s.Numel); msg != "" {
		return nil, d.errorf("%s: %s", gRebuildTensor, msg)
	}
	return &Tensor{Storage: s, Offset: int(off), Shape: shape, Stride: strides}, nil
}

// viewError says what is wrong with a view of a storage of numel elements,
// or returns "" if it lies within the storage and has no more elements than
// it: a tensor with a stride of 0 could otherwise ask for any number.
func viewError(off int, shape, stride []int, numel int) string {
	for _, n := range shape {
		if n == 0 {
			if off > numel {
				return fmt.Sprintf("empty tensor at offset %d of a storage of %d elements", off, numel)
			}
			return ""
		}
	}
	last, count, over := uint64(off), uint64(1), false
	for i, n := range shape {
		hi, step := bits.Mul64(uint64(n-1), uint64(stride[i]))
		var carry uint64
		last, carry = bits.Add64(last, step, 0)
		hi2, c := bits.Mul64(count, uint64(n))
		count = c
		over = over || hi != 0 || carry != 0 || hi2 != 0
	}
	if over || last >= uint64(numel) {
		return fmt.Sprintf("size %v, stride %v and offset %d reach past the storage's %d elements", shape, stride, off, numel)
	}
	if count > uint64(numel) {
		return fmt.Sprintf("%d elements in a storage of %d (expanded tensors are not supported)", count, numel)
	}
	return ""
}

// buildOrderedDict applies BUILD to an OrderedDict: its state is a dict of
// attributes, such as the _metadata of module.state_dict(), which nothing
// here needs.
func (d *decoder) buildOrderedDict(dict *Dict, state Value) error {
	if !dict.ordered {
		return d.errorf("BUILD of a dict not allowed") // a dict has no attributes
	}
	if _, ok := state.(*Dict); !ok {
		return d.errorf("state of an OrderedDict is a %s, want a dict", TypeName(state))
	}
	return nil
}

// ints returns the values of a tuple of ints from 0 to math.MaxInt.
func ints(t Tuple) ([]int, bool) {
	out := make([]int, len(t))
	for i, v := range t {
		k, ok := v.(int64)
		if !ok || k < 0 || uint64(k) > math.MaxInt {
			return nil, false
		}
		out[i] = int(k)
	}
	return out, true
}

func isTensor(v Value) bool {
	_, ok := v.(*Tensor)
	return ok
}

func isEmptyDict(v Value) bool {
	d, ok := v.(*Dict)
	return ok && d.Len() == 0
}
