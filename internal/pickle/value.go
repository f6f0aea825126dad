package pickle

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Value is one decoded Python object. Its dynamic type is one of
//
//	nil       None
//	bool      bool
//	int64     int (Python 2 int or long) that fits in 64 bits
//	float64   float
//	string    str (Python 3) or unicode (Python 2), as the UTF-8 bytes of the pickle
//	[]byte    bytes, bytearray, or a Python 2 str (its bytes, as encoding='latin1' reads them)
//	*List     list
//	Tuple     tuple
//	*Dict     dict (or, from DecodeTorch, collections.OrderedDict) with str or bytes keys
//	*Array    numpy.ndarray of booleans, integers or floats (Decode only)
//	*Dtype    numpy.dtype of such an array (Decode only)
//	*Storage  a torch storage that a persistent id refers to (DecodeTorch only)
//	*Tensor   torch.Tensor or torch.nn.Parameter (DecodeTorch only)
//	Global    one of the allowed names, when it appears other than as a callable
//
// Values decoded from one pickle may share memory with each other (the memo
// lets a pickle refer to one object several times, so that a list can even
// contain itself) and with the input.
type Value any

// List is a Python list.
type List struct {
	Items []Value
}

// Tuple is a Python tuple.
type Tuple []Value

// Global is a reference to one of the allowed module-level names, such as
// numpy.ndarray; the decoder never resolves or calls anything else.
type Global struct {
	Module, Name string
}

func (g Global) String() string { return g.Module + "." + g.Name }

// Dict is a Python dict whose keys are str (string) or bytes ([]byte)
// values. It keeps the keys in the order the pickle first set them.
type Dict struct {
	keys, vals []Value
	index      map[dictKey]int
	ordered    bool // made by collections.OrderedDict(), which BUILD may give attributes
}

type dictKey struct {
	bytes bool
	s     string
}

func keyOf(k Value) (dictKey, bool) {
	switch k := k.(type) {
	case string:
		return dictKey{s: k}, true
	case []byte:
		return dictKey{bytes: true, s: string(k)}, true
	}
	return dictKey{}, false
}

// set sets d[k] = v; k must be a string or []byte.
func (d *Dict) set(k, v Value) bool {
	dk, ok := keyOf(k)
	if !ok {
		return false
	}
	if i, ok := d.index[dk]; ok {
		d.vals[i] = v
		return true
	}
	if d.index == nil {
		d.index = make(map[dictKey]int)
	}
	d.index[dk] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return true
}

// Len returns the number of items in d.
func (d *Dict) Len() int { return len(d.keys) }

// Item returns the key and the value of item i, 0 ≤ i < d.Len(), in
// insertion order.
func (d *Dict) Item(i int) (key, value Value) { return d.keys[i], d.vals[i] }

// Get returns the value of the str key equal to key or, failing that, of
// the bytes key (a Python 2 str) with the same bytes.
func (d *Dict) Get(key string) (Value, bool) {
	if i, ok := d.index[dictKey{s: key}]; ok {
		return d.vals[i], true
	}
	if i, ok := d.index[dictKey{bytes: true, s: key}]; ok {
		return d.vals[i], true
	}
	return nil, false
}

// Dtype describes the elements of an Array.
type Dtype struct {
	Kind  byte // 'b' bool, 'i' signed integer, 'u' unsigned integer, 'f' float
	Size  int  // bytes per element: 1 for 'b'; 1, 2, 4 or 8 for 'i' and 'u'; 2, 4 or 8 for 'f'
	Order byte // '<' little-endian, '>' big-endian, '|' not applicable (Size 1)
}

// String returns the dtype as numpy's dtype.str writes it, such as "<i8".
func (t Dtype) String() string { return fmt.Sprintf("%c%c%d", t.Order, t.Kind, t.Size) }

func (t Dtype) byteOrder() binary.ByteOrder {
	if t.Order == '>' {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Array is a numpy.ndarray. Data holds the Len()×Dtype.Size bytes of the
// elements as the pickle stores them: in row-major (C) order, or in
// column-major order when Fortran is set. The accessors return the
// elements in C order.
type Array struct {
	Dtype   Dtype
	Shape   []int
	Fortran bool
	Data    []byte
}

// Len returns the number of elements, the product of the shape.
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// Uint8 returns the elements of an array of dtype uint8 in C order. The
// result shares memory with a.Data unless the array is in Fortran order.
func (a *Array) Uint8() ([]byte, error) {
	if a.Dtype.Kind != 'u' || a.Dtype.Size != 1 {
		return nil, fmt.Errorf("pickle: ndarray of dtype %s, want uint8", a.Dtype)
	}
	return a.cOrder(), nil
}

// Ints returns the elements of an integer or boolean array of any width and
// byte order, in C order. Unsigned 64-bit values above math.MaxInt64 are an
// error.
func (a *Array) Ints() ([]int64, error) {
	t := a.Dtype
	if t.Kind != 'i' && t.Kind != 'u' && t.Kind != 'b' {
		return nil, fmt.Errorf("pickle: ndarray of dtype %s, want integers", t)
	}
	data, bo := a.cOrder(), t.byteOrder()
	out := make([]int64, len(data)/t.Size)
	for i := range out {
		p := data[i*t.Size:]
		switch {
		case t.Kind == 'b':
			out[i] = int64(min(p[0], 1))
		case t.Size == 1 && t.Kind == 'u':
			out[i] = int64(p[0])
		case t.Size == 1:
			out[i] = int64(int8(p[0]))
		case t.Size == 2 && t.Kind == 'u':
			out[i] = int64(bo.Uint16(p))
		case t.Size == 2:
			out[i] = int64(int16(bo.Uint16(p)))
		case t.Size == 4 && t.Kind == 'u':
			out[i] = int64(bo.Uint32(p))
		case t.Size == 4:
			out[i] = int64(int32(bo.Uint32(p)))
		default:
			v := bo.Uint64(p)
			if t.Kind == 'u' && v > math.MaxInt64 {
				return nil, fmt.Errorf("pickle: element %d of ndarray is %d, beyond int64", i, v)
			}
			out[i] = int64(v)
		}
	}
	return out, nil
}

// Floats returns the elements of a float array (float16, float32 or
// float64, either byte order) as float64 values, in C order.
func (a *Array) Floats() ([]float64, error) {
	t := a.Dtype
	if t.Kind != 'f' {
		return nil, fmt.Errorf("pickle: ndarray of dtype %s, want floats", t)
	}
	data, bo := a.cOrder(), t.byteOrder()
	out := make([]float64, len(data)/t.Size)
	for i := range out {
		p := data[i*t.Size:]
		switch t.Size {
		case 2:
			out[i] = halfToFloat(bo.Uint16(p))
		case 4:
			out[i] = float64(math.Float32frombits(bo.Uint32(p)))
		default:
			out[i] = math.Float64frombits(bo.Uint64(p))
		}
	}
	return out, nil
}

// halfToFloat converts IEEE 754 binary16 bits to a float64 (exactly).
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// cOrder returns the element bytes in C order: a.Data itself, or a
// reordered copy for a Fortran-ordered array of two or more dimensions.
func (a *Array) cOrder() []byte {
	nd := len(a.Shape)
	if !a.Fortran || nd < 2 || len(a.Data) == 0 {
		return a.Data
	}
	size := a.Dtype.Size
	out := make([]byte, len(a.Data))
	// Fortran strides, in elements: stride[0] = 1, stride[k] = stride[k-1]*shape[k-1].
	stride := make([]int, nd)
	stride[0] = 1
	for k := 1; k < nd; k++ {
		stride[k] = stride[k-1] * a.Shape[k-1]
	}
	idx := make([]int, nd)
	src := 0 // Fortran offset of idx, in elements
	for dst := 0; dst < len(out); dst += size {
		copy(out[dst:dst+size], a.Data[src*size:])
		// Advance the C-order odometer, last index fastest.
		for k := nd - 1; k >= 0; k-- {
			idx[k]++
			src += stride[k]
			if idx[k] < a.Shape[k] {
				break
			}
			src -= idx[k] * stride[k]
			idx[k] = 0
		}
	}
	return out
}

// Ints returns the integers of a list of Python ints (or bools) or of an
// integer or boolean ndarray, as CIFAR label lists and SVHN label arrays
// hold them.
func Ints(v Value) ([]int64, error) {
	switch v := v.(type) {
	case *Array:
		return v.Ints()
	case *List:
		out := make([]int64, len(v.Items))
		for i, x := range v.Items {
			switch x := x.(type) {
			case int64:
				out[i] = x
			case bool:
				if x {
					out[i] = 1
				}
			default:
				return nil, fmt.Errorf("pickle: item %d of the list is a %s, want an int", i, TypeName(x))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("pickle: %s, want a list of ints or an integer ndarray", TypeName(v))
}

// TypeName returns the Python name of v's type ("None", "int", "str",
// "bytes", "list", "dict", "ndarray", "tensor", …) for messages.
func TypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case *List:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case *Array:
		return "ndarray"
	case *Dtype:
		return "dtype"
	case *Storage:
		return "storage"
	case *Tensor:
		return "tensor"
	case Global:
		return "global " + v.String()
	}
	return fmt.Sprintf("%T", v)
}
