// Package pickle decodes the Python pickles that hold small image datasets
// and model weights: dicts, lists and tuples of numbers and strings, numpy
// arrays of booleans, integers or floats, and the state_dicts of PyTorch
// models. It reads the files of the "python version" of CIFAR-10 and
// CIFAR-100, which Python 2.7's cPickle wrote with protocol 2, pickles
// written by Python 3's pickle module with protocols 2 to 5, as numpy 1.x
// and 2.x lay out their arrays in them, and the pickles inside the files of
// torch.save (read by package internal/pth). The format follows Python's
// Lib/pickle.py and Lib/pickletools.py (PEP 307 for protocol 2, PEP 3154
// for 4, PEP 574 for 5); the arrays follow numpy's ndarray.__reduce__,
// __reduce_ex__ and __setstate__ and dtype.__reduce__; the tensors follow
// PyTorch's torch/serialization.py and torch/_utils.py.
//
// A general unpickler, such as Python's own or a Go port like gopickle,
// resolves whatever module-level names a pickle asks for (GLOBAL,
// STACK_GLOBAL) and calls them (REDUCE, NEWOBJ, BUILD through
// __setstate__), so a crafted pickle can run arbitrary code or at least
// build arbitrary objects. This package instead implements only the opcodes
// those files use and allows only these names, each interpreted by the
// package itself and never looked up. Decode allows
//
//	numpy.core.multiarray._reconstruct, numpy._core.multiarray._reconstruct
//	    only as _reconstruct(numpy.ndarray, (0,), b'b'), the empty array
//	    whose BUILD then sets shape, dtype, order and data
//	numpy.ndarray      only as the argument of _reconstruct
//	numpy.dtype        only as dtype(name, align, copy) for bool, int, uint
//	                   and float dtypes, and BUILD with their state tuple
//	_codecs.encode     only as encode(str, 'latin1'), how Python 3 writes
//	                   bytes with protocol 2
//	__builtin__.bytes, builtins.bytes
//	                   only as bytes(), the empty bytes with protocol 2
//	numpy.core.numeric._frombuffer, numpy._core.numeric._frombuffer
//	                   only as _frombuffer(buffer, dtype, shape, order),
//	                   numpy's array layout with protocol 5
//
// and DecodeTorch, for the pickles of torch.save, allows instead
//
//	torch.FloatStorage, torch.DoubleStorage, torch.HalfStorage,
//	torch.BFloat16Storage, torch.LongStorage, torch.IntStorage,
//	torch.ShortStorage, torch.CharStorage, torch.ByteStorage,
//	torch.BoolStorage
//	                   only as the storage type in a persistent id
//	                   (BINPERSID) ('storage', type, key, location, numel)
//	torch._utils._rebuild_tensor_v2
//	                   only as _rebuild_tensor_v2(storage, offset, size,
//	                   stride, requires_grad, OrderedDict()[, {}])
//	torch._utils._rebuild_parameter
//	                   only as _rebuild_parameter(tensor, requires_grad,
//	                   OrderedDict())
//	collections.OrderedDict
//	                   only as OrderedDict(), and BUILD of one with a dict
//	                   of attributes (module.state_dict()'s _metadata)
//
// Any other name is refused with an error such as "pickle: offset 17:
// global os.system not allowed", and any other opcode, including the
// out-of-band buffers of protocol 5 (NEXT_BUFFER), with its name and offset.
//
// Decode and DecodeTorch read a pickle held in memory. Every length in the input is checked
// against the bytes that remain, the stack and the memo have fixed limits,
// and the decoder is a loop, not a recursion, so hostile input can make it
// fail but not panic, hang or allocate much more than the input's size.
// Byte strings and array data refer to the input rather than copy it.
package pickle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Limits on what one pickle may hold. The CIFAR-100 training file, the
// largest of the datasets, needs about 50 000 memo entries and a stack of
// about 1000 items.
const (
	maxStack = 1 << 20 // items on the stack, including marks
	maxMemo  = 1 << 20 // memo entries
	maxDims  = 64      // dimensions of an array (numpy 2's limit)
	maxLine  = 256     // bytes of a GLOBAL or INT argument line
	maxKey   = 256     // bytes of a dict key
)

// An Error reports where and why Decode refused its input.
type Error struct {
	Offset int    // offset of the opcode in the input
	Op     string // name of the opcode, such as "GLOBAL"
	Msg    string // what is wrong
}

func (e *Error) Error() string { return fmt.Sprintf("pickle: offset %d: %s", e.Offset, e.Msg) }

// Decode decodes the pickle in data. Bytes after its STOP opcode are
// ignored, as Python's pickle.load ignores them.
func Decode(data []byte) (Value, error) {
	d := &decoder{data: data, memo: make(map[uint32]Value), budget: len(data)}
	return d.run()
}

type decoder struct {
	torch bool // DecodeTorch: the torch names instead of numpy's
	data  []byte
	pos   int // next byte to read
	at    int // offset of the current opcode
	op    byte
	stack []Value
	marks []int // stack lengths at each MARK
	memo  map[uint32]Value
	// budget is how many more bytes _codecs.encode may produce: a pickle
	// encodes each byte string once, so at most the input's length in
	// all, while the memo would let a hostile one re-encode a long text
	// over and over.
	budget int
}

func opName(op byte) string {
	if n := opNames[op]; n != "" {
		return n
	}
	return fmt.Sprintf("0x%02x", op)
}

// errorf returns an *Error for the current opcode, its message prefixed
// with the opcode's name.
func (d *decoder) errorf(format string, args ...any) error {
	name := opName(d.op)
	return &Error{Offset: d.at, Op: name, Msg: name + ": " + fmt.Sprintf(format, args...)}
}

// read returns the next n bytes of the input.
func (d *decoder) read(n uint64) ([]byte, error) {
	if left := uint64(len(d.data) - d.pos); n > left {
		return nil, d.errorf("truncated: needs %d bytes, %d left", n, left)
	}
	b := d.data[d.pos : d.pos+int(n) : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *decoder) u8() (uint64, error) {
	b, err := d.read(1)
	if err != nil {
		return 0, err
	}
	return uint64(b[0]), nil
}

func (d *decoder) u16() (uint64, error) {
	b, err := d.read(2)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint16(b)), nil
}

func (d *decoder) u32() (uint64, error) {
	b, err := d.read(4)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint32(b)), nil
}

func (d *decoder) u64() (uint64, error) {
	b, err := d.read(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// line returns the text up to the next newline, which it consumes.
func (d *decoder) line() (string, error) {
	end := min(len(d.data), d.pos+maxLine+1)
	for i := d.pos; i < end; i++ {
		if d.data[i] == '\n' {
			s := string(d.data[d.pos:i])
			d.pos = i + 1
			return s, nil
		}
	}
	if end == len(d.data) {
		return "", d.errorf("truncated: no newline")
	}
	return "", d.errorf("argument longer than %d bytes", maxLine)
}

func (d *decoder) push(v Value) error {
	if len(d.stack)+len(d.marks) >= maxStack {
		return d.errorf("stack exceeds %d items", maxStack)
	}
	d.stack = append(d.stack, v)
	return nil
}

// base is the stack length at the last MARK: items below it cannot be
// popped until the mark is.
func (d *decoder) base() int {
	if len(d.marks) == 0 {
		return 0
	}
	return d.marks[len(d.marks)-1]
}

// popN removes and returns the top n items, oldest first. The result
// aliases the stack; copy it before pushing.
func (d *decoder) popN(n int) ([]Value, error) {
	if len(d.stack)-d.base() < n {
		return nil, d.errorf("stack underflow")
	}
	items := d.stack[len(d.stack)-n:]
	d.stack = d.stack[:len(d.stack)-n]
	return items, nil
}

func (d *decoder) pop() (Value, error) {
	items, err := d.popN(1)
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

func (d *decoder) top() (Value, error) {
	if len(d.stack) <= d.base() {
		return nil, d.errorf("stack underflow")
	}
	return d.stack[len(d.stack)-1], nil
}

// popMark removes and returns the items above the last MARK and the mark.
func (d *decoder) popMark() ([]Value, error) {
	if len(d.marks) == 0 {
		return nil, d.errorf("no MARK")
	}
	m := d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	items := d.stack[m:]
	d.stack = d.stack[:m]
	return items, nil
}

func (d *decoder) put(k uint64) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	if _, ok := d.memo[uint32(k)]; !ok && len(d.memo) >= maxMemo {
		return d.errorf("memo exceeds %d entries", maxMemo)
	}
	d.memo[uint32(k)] = v
	return nil
}

func (d *decoder) get(k uint64) error {
	v, ok := d.memo[uint32(k)]
	if !ok {
		return d.errorf("memo key %d not found", k)
	}
	return d.push(v)
}

func (d *decoder) run() (Value, error) {
	for d.pos < len(d.data) {
		d.at, d.op = d.pos, d.data[d.pos]
		d.pos++
		if d.op == opStop {
			if len(d.marks) != 0 || len(d.stack) != 1 {
				return nil, d.errorf("%d items and %d marks left on the stack, want 1 item", len(d.stack), len(d.marks))
			}
			return d.stack[0], nil // d.pos is just past the STOP
		}
		if err := d.step(); err != nil {
			return nil, err
		}
	}
	return nil, &Error{Offset: len(d.data), Msg: "input ends without STOP"}
}

// step executes the opcode d.op, whose argument starts at d.pos.
func (d *decoder) step() error {
	switch d.op {
	case opProto:
		v, err := d.u8()
		if err != nil {
			return err
		}
		if v < 2 || v > 5 {
			return d.errorf("protocol %d not supported (2 to 5 are)", v)
		}
		return nil
	case opFrame:
		n, err := d.u64()
		if err != nil {
			return err
		}
		if left := uint64(len(d.data) - d.pos); n > left {
			return d.errorf("truncated: frame of %d bytes, %d left", n, left)
		}
		return nil // frames only group opcodes for buffering

	case opMark:
		if len(d.stack)+len(d.marks) >= maxStack {
			return d.errorf("stack exceeds %d items", maxStack)
		}
		d.marks = append(d.marks, len(d.stack))
		return nil

	case opNone:
		return d.push(nil)
	case opNewtrue:
		return d.push(true)
	case opNewfalse:
		return d.push(false)
	case opBinint1:
		v, err := d.u8()
		if err != nil {
			return err
		}
		return d.push(int64(v))
	case opBinint2:
		v, err := d.u16()
		if err != nil {
			return err
		}
		return d.push(int64(v))
	case opBinint:
		v, err := d.u32()
		if err != nil {
			return err
		}
		return d.push(int64(int32(uint32(v))))
	case opInt:
		// Python 2's cPickle writes ints beyond 32 bits as text even in
		// binary protocols; protocol 0 writes bools as I00 and I01.
		s, err := d.line()
		if err != nil {
			return err
		}
		switch s {
		case "00":
			return d.push(false)
		case "01":
			return d.push(true)
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return d.errorf("bad integer %q", s)
		}
		return d.push(v)
	case opLong1:
		n, err := d.u8()
		if err != nil {
			return err
		}
		b, err := d.read(n)
		if err != nil {
			return err
		}
		v, ok := long(b)
		if !ok {
			return d.errorf("integer of %d bytes beyond int64", n)
		}
		return d.push(v)
	case opBinfloat:
		b, err := d.read(8)
		if err != nil {
			return err
		}
		return d.push(math.Float64frombits(binary.BigEndian.Uint64(b)))

	case opShortBinstring, opShortBinbytes:
		return d.bytesArg(d.u8)
	case opBinstring:
		b, err := d.read(4)
		if err != nil {
			return err
		}
		n := int32(binary.LittleEndian.Uint32(b))
		if n < 0 {
			return d.errorf("negative length %d", n)
		}
		s, err := d.read(uint64(n))
		if err != nil {
			return err
		}
		return d.push(s)
	case opBinbytes:
		return d.bytesArg(d.u32)
	case opBinbytes8, opBytearray8:
		return d.bytesArg(d.u64)
	case opShortBinunicode:
		return d.stringArg(d.u8)
	case opBinunicode:
		return d.stringArg(d.u32)
	case opBinunicode8:
		return d.stringArg(d.u64)

	case opEmptyList:
		return d.push(&List{})
	case opEmptyDict:
		return d.push(&Dict{})
	case opEmptyTuple:
		return d.push(Tuple{})
	case opTuple1, opTuple2, opTuple3:
		items, err := d.popN(int(d.op-opTuple1) + 1)
		if err != nil {
			return err
		}
		return d.push(append(Tuple(nil), items...))
	case opTuple:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		return d.push(append(Tuple{}, items...))
	case opAppend:
		v, err := d.pop()
		if err != nil {
			return err
		}
		return d.appendTo([]Value{v})
	case opAppends:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		return d.appendTo(items)
	case opSetitem:
		items, err := d.popN(2)
		if err != nil {
			return err
		}
		return d.setItems(items)
	case opSetitems:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return d.errorf("odd number of items (%d)", len(items))
		}
		return d.setItems(items)

	case opBinput:
		k, err := d.u8()
		if err != nil {
			return err
		}
		return d.put(k)
	case opLongBinput:
		k, err := d.u32()
		if err != nil {
			return err
		}
		return d.put(k)
	case opMemoize:
		return d.put(uint64(len(d.memo)))
	case opBinget:
		k, err := d.u8()
		if err != nil {
			return err
		}
		return d.get(k)
	case opLongBinget:
		k, err := d.u32()
		if err != nil {
			return err
		}
		return d.get(k)

	case opGlobal:
		module, err := d.line()
		if err != nil {
			return err
		}
		name, err := d.line()
		if err != nil {
			return err
		}
		return d.global(module, name)
	case opStackGlobal:
		items, err := d.popN(2)
		if err != nil {
			return err
		}
		module, ok1 := items[0].(string)
		name, ok2 := items[1].(string)
		if !ok1 || !ok2 {
			return d.errorf("module and name are a %s and a %s, want str", TypeName(items[0]), TypeName(items[1]))
		}
		return d.global(module, name)
	case opReduce:
		items, err := d.popN(2)
		if err != nil {
			return err
		}
		v, err := d.reduce(items[0], items[1])
		if err != nil {
			return err
		}
		return d.push(v)
	case opBuild:
		state, err := d.pop()
		if err != nil {
			return err
		}
		obj, err := d.top()
		if err != nil {
			return err
		}
		return d.build(obj, state)

	case opBinpersid:
		if !d.torch {
			break
		}
		pid, err := d.pop()
		if err != nil {
			return err
		}
		v, err := d.persistentLoad(pid)
		if err != nil {
			return err
		}
		return d.push(v)

	case opNextBuffer, opReadonlyBuffer:
		return d.errorf("out-of-band buffers are not supported (pickle the arrays in-band)")
	}
	if opNames[d.op] == "" {
		return &Error{Offset: d.at, Op: opName(d.op), Msg: fmt.Sprintf("unknown opcode 0x%02x", d.op)}
	}
	return &Error{Offset: d.at, Op: opName(d.op), Msg: fmt.Sprintf("opcode %s (%q) not supported", opName(d.op), d.op)}
}

// long decodes a little-endian two's complement integer, reporting whether
// it fits in an int64.
func long(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := b[len(b)-1]&0x80 != 0
	for len(b) > 8 {
		// Bytes beyond the eighth must only extend the sign.
		hi := b[len(b)-1]
		if (neg && hi != 0xff) || (!neg && hi != 0) {
			return 0, false
		}
		b = b[:len(b)-1]
	}
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	if neg && len(b) < 8 {
		u |= ^uint64(0) << (8 * uint(len(b)))
	}
	v := int64(u)
	if (v < 0) != neg {
		return 0, false
	}
	return v, true
}

func (d *decoder) bytesArg(length func() (uint64, error)) error {
	n, err := length()
	if err != nil {
		return err
	}
	b, err := d.read(n)
	if err != nil {
		return err
	}
	return d.push(b)
}

func (d *decoder) stringArg(length func() (uint64, error)) error {
	n, err := length()
	if err != nil {
		return err
	}
	b, err := d.read(n)
	if err != nil {
		return err
	}
	return d.push(string(b))
}

func (d *decoder) appendTo(items []Value) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	l, ok := v.(*List)
	if !ok {
		return d.errorf("append to a %s, want a list", TypeName(v))
	}
	l.Items = append(l.Items, items...)
	return nil
}

func (d *decoder) setItems(items []Value) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	dict, ok := v.(*Dict)
	if !ok {
		return d.errorf("set items of a %s, want a dict", TypeName(v))
	}
	for i := 0; i < len(items); i += 2 {
		if n := keyLen(items[i]); n > maxKey {
			return d.errorf("dict key of %d bytes, at most %d allowed", n, maxKey)
		}
		if !dict.set(items[i], items[i+1]) {
			return d.errorf("key of type %s not supported (str or bytes are)", TypeName(items[i]))
		}
	}
	return nil
}

func keyLen(k Value) int {
	switch k := k.(type) {
	case string:
		return len(k)
	case []byte:
		return len(k)
	}
	return 0
}

// The names a pickle may refer to.
var (
	gReconstruct  = Global{"numpy.core.multiarray", "_reconstruct"}
	gReconstruct2 = Global{"numpy._core.multiarray", "_reconstruct"}
	gNdarray      = Global{"numpy", "ndarray"}
	gDtype        = Global{"numpy", "dtype"}
	gEncode       = Global{"_codecs", "encode"}
	gBytes2       = Global{"__builtin__", "bytes"}
	gBytes        = Global{"builtins", "bytes"}
	gFrombuffer   = Global{"numpy.core.numeric", "_frombuffer"}
	gFrombuffer2  = Global{"numpy._core.numeric", "_frombuffer"}
)

func (d *decoder) global(module, name string) error {
	g := Global{module, name}
	if d.torch {
		if _, ok := storageTypes[g]; ok || g == gOrderedDict || g == gRebuildTensor || g == gRebuildParameter {
			return d.push(g)
		}
		return &Error{Offset: d.at, Op: opName(d.op), Msg: fmt.Sprintf("global %s.%s not allowed", clip(module), clip(name))}
	}
	switch g {
	case gReconstruct, gReconstruct2, gNdarray, gDtype, gEncode, gBytes2, gBytes, gFrombuffer, gFrombuffer2:
		return d.push(g)
	}
	return &Error{Offset: d.at, Op: opName(d.op), Msg: fmt.Sprintf("global %s.%s not allowed", clip(module), clip(name))}
}

// reduce returns fn(*args) for the allowed callables.
func (d *decoder) reduce(fn, args Value) (Value, error) {
	g, ok := fn.(Global)
	if !ok {
		return nil, d.errorf("call of a %s", TypeName(fn))
	}
	t, ok := args.(Tuple)
	if !ok {
		return nil, d.errorf("arguments of %s are a %s, want a tuple", g, TypeName(args))
	}
	if d.torch {
		return d.reduceTorch(g, t)
	}
	switch g {
	case gReconstruct, gReconstruct2:
		// numpy's ndarray.__reduce__ always writes _reconstruct(cls, (0,), b'b').
		if len(t) != 3 || t[0] != Value(gNdarray) || !isTuple(t[1], 0) || !isText(t[2], "b") {
			return nil, d.errorf("%s%s: want (numpy.ndarray, (0,), b'b')", g, describeArgs(t))
		}
		return &Array{Dtype: Dtype{Kind: 'i', Size: 1, Order: '|'}, Shape: []int{0}, Data: []byte{}}, nil
	case gDtype:
		if len(t) != 3 || !isFlag(t[1]) || !isFlag(t[2]) {
			return nil, d.errorf("numpy.dtype%s: want (name, align, copy)", describeArgs(t))
		}
		name, ok := text(t[0])
		if !ok {
			return nil, d.errorf("numpy.dtype: name is a %s", TypeName(t[0]))
		}
		dt, err := parseDtype(name)
		if err != nil {
			return nil, d.errorf("%v", err)
		}
		return dt, nil
	case gEncode:
		if len(t) != 2 {
			return nil, d.errorf("_codecs.encode with %d arguments, want 2", len(t))
		}
		s, ok := t[0].(string)
		if !ok {
			return nil, d.errorf("_codecs.encode of a %s, want a str", TypeName(t[0]))
		}
		if enc, _ := t[1].(string); enc != "latin1" && enc != "latin-1" {
			return nil, d.errorf("_codecs.encode with encoding %v, only latin1 is allowed", describe(t[1]))
		}
		if d.budget -= len(s); d.budget < 0 {
			return nil, d.errorf("_codecs.encode: more text than the pickle holds")
		}
		b, ok := latin1(s)
		if !ok {
			return nil, d.errorf("_codecs.encode: text is not latin1")
		}
		return b, nil
	case gBytes, gBytes2:
		if len(t) != 0 {
			return nil, d.errorf("%s with %d arguments, only bytes() is allowed", g, len(t))
		}
		return []byte{}, nil
	case gFrombuffer, gFrombuffer2:
		return d.frombuffer(g, t)
	}
	return nil, d.errorf("%s may not be called", g)
}

// frombuffer implements numpy's _frombuffer(buf, dtype, shape, order).
func (d *decoder) frombuffer(g Global, t Tuple) (Value, error) {
	if len(t) != 4 {
		return nil, d.errorf("%s with %d arguments, want 4", g, len(t))
	}
	buf, ok := t[0].([]byte)
	if !ok {
		return nil, d.errorf("%s: buffer is a %s, want bytes", g, TypeName(t[0]))
	}
	dt, ok := t[1].(*Dtype)
	if !ok {
		return nil, d.errorf("%s: dtype is a %s", g, TypeName(t[1]))
	}
	order, _ := text(t[3])
	if order != "C" && order != "F" {
		return nil, d.errorf("%s: order %s, want 'C' or 'F'", g, describe(t[3]))
	}
	a := &Array{Dtype: *dt, Fortran: order == "F", Data: buf}
	if err := d.setShape(a, t[2]); err != nil {
		return nil, err
	}
	return a, nil
}

// build applies BUILD's state to an array or a dtype, as their
// __setstate__ methods do, or to an OrderedDict.
func (d *decoder) build(obj, state Value) error {
	if dict, ok := obj.(*Dict); ok && d.torch {
		return d.buildOrderedDict(dict, state)
	}
	t, ok := state.(Tuple)
	if !ok {
		return d.errorf("state of a %s is a %s, want a tuple", TypeName(obj), TypeName(state))
	}
	switch obj := obj.(type) {
	case *Array:
		// (version, shape, dtype, is_fortran, data), or the same without
		// the version as numpy before 1.0 wrote it.
		if len(t) == 5 {
			if v, ok := t[0].(int64); !ok || v != 1 {
				return d.errorf("ndarray state version %s, want 1", describe(t[0]))
			}
			t = t[1:]
		}
		if len(t) != 4 {
			return d.errorf("ndarray state of %d items, want 5", len(t))
		}
		dt, ok := t[1].(*Dtype)
		if !ok {
			return d.errorf("ndarray dtype is a %s", TypeName(t[1]))
		}
		if !isFlag(t[2]) {
			return d.errorf("ndarray is_fortran is a %s, want a bool", TypeName(t[2]))
		}
		data, ok := t[3].([]byte)
		if !ok {
			return d.errorf("ndarray data is a %s, want bytes (object arrays are not supported)", TypeName(t[3]))
		}
		a := Array{Dtype: *dt, Fortran: truth(t[2]), Data: data}
		if err := d.setShape(&a, t[0]); err != nil {
			return err
		}
		*obj = a
		return nil
	case *Dtype:
		return d.buildDtype(obj, t)
	}
	return d.errorf("BUILD of a %s not allowed", TypeName(obj))
}

// setShape sets a.Shape from a tuple of ints, checking that the data holds
// exactly that many elements.
func (d *decoder) setShape(a *Array, shape Value) error {
	t, ok := shape.(Tuple)
	if !ok {
		return d.errorf("ndarray shape is a %s, want a tuple", TypeName(shape))
	}
	if len(t) > maxDims {
		return d.errorf("ndarray of %d dimensions, at most %d allowed", len(t), maxDims)
	}
	a.Shape = make([]int, len(t))
	n, over, zero := uint64(1), false, false
	for i, v := range t {
		k, ok := v.(int64)
		if !ok || k < 0 {
			return d.errorf("ndarray shape %s", describe(shape))
		}
		a.Shape[i] = int(k)
		hi, lo := bits.Mul64(n, uint64(k))
		n, over, zero = lo, over || hi != 0, zero || k == 0
	}
	if zero {
		n, over = 0, false
	}
	hi, size := bits.Mul64(n, uint64(a.Dtype.Size))
	if over || hi != 0 || size != uint64(len(a.Data)) {
		return d.errorf("ndarray of shape %s and dtype %s does not match its %d data bytes", describe(shape), a.Dtype, len(a.Data))
	}
	return nil
}

// buildDtype applies numpy's dtype state (version, endian, subarray, names,
// fields, elsize, alignment, flags[, metadata]) for a plain dtype.
func (d *decoder) buildDtype(dt *Dtype, t Tuple) error {
	if len(t) != 8 && len(t) != 9 {
		return d.errorf("dtype state of %d items, want 8 or 9", len(t))
	}
	if v, ok := t[0].(int64); !ok || (v != 3 && v != 4) {
		return d.errorf("dtype state version %s, want 3 or 4", describe(t[0]))
	}
	if t[2] != nil || t[3] != nil || t[4] != nil || (len(t) == 9 && t[8] != nil) {
		return d.errorf("structured, subarray or metadata dtypes are not supported")
	}
	for _, v := range t[5:7] {
		if k, ok := v.(int64); !ok || (k != -1 && k != int64(dt.Size)) {
			return d.errorf("dtype %s with elsize or alignment %s", dt, describe(v))
		}
	}
	if _, ok := t[7].(int64); !ok {
		return d.errorf("dtype flags are a %s, want an int", TypeName(t[7]))
	}
	e, _ := text(t[1])
	switch {
	case e == "|" && dt.Size == 1, (e == "<" || e == ">") && dt.Size > 1:
		dt.Order = e[0]
	case (e == "<" || e == ">") && dt.Size == 1:
		dt.Order = '|'
	default:
		return d.errorf("dtype %c%d with byte order %s", dt.Kind, dt.Size, describe(t[1]))
	}
	return nil
}

// parseDtype parses the dtype names numpy's dtype.__reduce__ writes, such
// as "u1", "<i8" or "f4".
func parseDtype(name string) (*Dtype, error) {
	s := name
	order := byte(0)
	if len(s) > 0 && (s[0] == '<' || s[0] == '>' || s[0] == '|') {
		order, s = s[0], s[1:]
	}
	if len(s) < 2 {
		return nil, fmt.Errorf("dtype %q not supported", name)
	}
	size, err := strconv.Atoi(s[1:])
	ok := err == nil && s[1] != '+' && s[1] != '-'
	switch s[0] {
	case 'b':
		ok = ok && size == 1
	case 'i', 'u':
		ok = ok && (size == 1 || size == 2 || size == 4 || size == 8)
	case 'f':
		ok = ok && (size == 2 || size == 4 || size == 8)
	default:
		ok = false
	}
	if !ok {
		return nil, fmt.Errorf("dtype %q not supported (bool, int, uint and float dtypes are)", name)
	}
	dt := &Dtype{Kind: s[0], Size: size, Order: order}
	switch {
	case size == 1:
		dt.Order = '|'
	case order == 0 || order == '|':
		dt.Order = '<' // numpy's native order here; BUILD sets the real one
	}
	return dt, nil
}

// latin1 encodes s, whose runes must all be below 256, as Latin-1.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r > 0xff || (r == utf8.RuneError && n == 1) {
			return nil, false
		}
		b = append(b, byte(r))
		i += n
	}
	return b, true
}

// text returns the characters of a str or bytes value.
func text(v Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}

func isText(v Value, s string) bool {
	t, ok := text(v)
	return ok && t == s
}

func isTuple(v Value, ints ...int64) bool {
	t, ok := v.(Tuple)
	if !ok || len(t) != len(ints) {
		return false
	}
	for i, x := range t {
		if k, ok := x.(int64); !ok || k != ints[i] {
			return false
		}
	}
	return true
}

// isFlag reports whether v is a bool or an int, as Python 2 wrote flags.
func isFlag(v Value) bool {
	switch v.(type) {
	case bool, int64:
		return true
	}
	return false
}

func truth(v Value) bool {
	switch v := v.(type) {
	case bool:
		return v
	case int64:
		return v != 0
	}
	return false
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// describe formats a small value for an error message.
func describe(v Value) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case int64, bool, float64:
		return fmt.Sprint(v)
	case string:
		if len(v) > 20 {
			return fmt.Sprintf("%q…", v[:20])
		}
		return strconv.Quote(v)
	case []byte:
		if len(v) > 20 {
			return fmt.Sprintf("b%q…", v[:20])
		}
		return fmt.Sprintf("b%q", v)
	case Tuple:
		return describeArgs(v)
	case Global:
		return v.String()
	}
	return "a " + TypeName(v)
}

func describeArgs(t Tuple) string {
	s := "("
	for i, v := range t {
		if i == 8 {
			s += ", …"
			break
		}
		if i > 0 {
			s += ", "
		}
		switch v.(type) {
		case Tuple:
			s += "a tuple" // no recursion into nested tuples
		default:
			s += describe(v)
		}
	}
	if len(t) == 1 {
		s += ","
	}
	return s + ")"
}
