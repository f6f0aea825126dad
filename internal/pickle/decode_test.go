package pickle

import (
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Pieces of hand-written pickles.
const (
	reconstruct = "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01b\x87R"
	u1          = "cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
	frombuffer  = "\x8c\x12numpy.core.numeric\x8c\x0b_frombuffer\x93"
)

// dtypeState is a numpy.dtype pickle for name with the given BUILD state
// items after the version.
func dtypeState(name, state string) string {
	return "cnumpy\ndtype\nU" + string(rune(len(name))) + name + "K\x00K\x01\x87R(K\x03" + state + "tb"
}

// array is a Python 2 style ndarray pickle with the given shape and dtype
// pickles and data opcode.
func array(shape, dtype, data string) string {
	return reconstruct + "(K\x01" + shape + dtype + "\x89" + data + "tb"
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"empty", "", "pickle: offset 0: input ends without STOP"},
		{"no stop", "\x80\x02N", "pickle: offset 3: input ends without STOP"},
		{"protocol 6", "\x80\x06N.", "offset 0: PROTO: protocol 6 not supported (2 to 5 are)"},
		{"protocol 1", "\x80\x01N.", "PROTO: protocol 1 not supported"},
		{"truncated proto", "\x80", "offset 0: PROTO: truncated: needs 1 bytes, 0 left"},
		{"huge binunicode", "X\xff\xff\xff\xffabc.", "offset 0: BINUNICODE: truncated: needs 4294967295 bytes, 4 left"},
		{"huge binunicode8", "\x8d\xff\xff\xff\xff\xff\xff\xff\xff.", "BINUNICODE8: truncated: needs 18446744073709551615 bytes, 1 left"},
		{"huge binbytes8", "\x80\x04\x8e\x00\x00\x00\x00\x00\x00\x00\x80.", "offset 2: BINBYTES8: truncated: needs 9223372036854775808 bytes, 1 left"},
		{"huge frame", "\x80\x04\x95\x00\x01\x00\x00\x00\x00\x00\x00N.", "offset 2: FRAME: truncated: frame of 256 bytes, 2 left"},
		{"negative binstring", "T\xff\xff\xff\xff.", "BINSTRING: negative length -1"},
		{"short binstring", "U\x05ab", "SHORT_BINSTRING: truncated: needs 5 bytes, 2 left"},
		{"missing memo", "h\x05.", "offset 0: BINGET: memo key 5 not found"},
		{"missing long memo", "Nq\x01j\x00\x01\x00\x00.", "offset 3: LONG_BINGET: memo key 256 not found"},
		{"put on empty", "q\x01N.", "offset 0: BINPUT: stack underflow"},
		{"append on empty", "a", "offset 0: APPEND: stack underflow"},
		{"append below mark", "](Na.", "offset 3: APPEND: stack underflow"},
		{"tuple2 below mark", "N(N\x86.", "offset 3: TUPLE2: stack underflow"},
		{"two left", "NN.", "offset 2: STOP: 2 items and 0 marks left on the stack, want 1 item"},
		{"mark left", "N(.", "STOP: 1 items and 1 marks left on the stack, want 1 item"},
		{"nothing left", ".", "STOP: 0 items and 0 marks left"},
		{"appends without mark", "]e.", "offset 1: APPENDS: no MARK"},
		{"append to none", "N(Ne.", "offset 3: APPENDS: append to a None, want a list"},
		{"setitem on list", "]NNs.", "offset 3: SETITEM: set items of a list, want a dict"},
		{"none key", "}(NNu.", "offset 4: SETITEMS: key of type None not supported (str or bytes are)"},
		{"tuple key", "}(N\x85Nu.", "SETITEMS: key of type tuple not supported"},
		{"odd setitems", "}(K\x01u.", "offset 4: SETITEMS: odd number of items (1)"},
		{"long key", "}X\x01\x01\x00\x00" + strings.Repeat("k", 257) + "Ns.", "SETITEM: dict key of 257 bytes, at most 256 allowed"},
		{"long1 beyond int64", "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", "offset 0: LONG1: integer of 9 bytes beyond int64"},
		{"long1 2^63", "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00.", "LONG1: integer of 9 bytes beyond int64"},
		{"long1 -2^63-1", "\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\xff.", "LONG1: integer of 9 bytes beyond int64"},
		{"bad int", "Iabc\n.", `offset 0: INT: bad integer "abc"`},
		{"int overflow", "I99999999999999999999\n.", `INT: bad integer "99999999999999999999"`},
		{"long global", "c" + strings.Repeat("a", 300) + "\nb\n.", "offset 0: GLOBAL: argument longer than 256 bytes"},
		{"global without newline", "cnumpy\nndarr", "offset 0: GLOBAL: truncated: no newline"},
		{"global os.system", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", "pickle: offset 2: global os.system not allowed"},
		{"global builtins.eval", "\x8c\x08builtins\x8c\x04eval\x93.", "pickle: offset 16: global builtins.eval not allowed"},
		{"long global name", "\x8c\xc8" + strings.Repeat("m", 200) + "\x8c\x01x\x93.", "global " + strings.Repeat("m", 100) + "….x not allowed"},
		{"stack global of ints", "K\x01K\x02\x93.", "offset 4: STACK_GLOBAL: module and name are a int and a int, want str"},
		{"call ndarray", "cnumpy\nndarray\n)R.", "offset 16: REDUCE: numpy.ndarray may not be called"},
		{"call a string", "X\x00\x00\x00\x00)R.", "REDUCE: call of a str"},
		{"args not a tuple", "cnumpy\ndtype\nNR.", "REDUCE: arguments of numpy.dtype are a None, want a tuple"},
		{"encode utf-8", "c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00utf-8\x86R.", `REDUCE: _codecs.encode with encoding "utf-8", only latin1 is allowed`},
		{"encode non-latin1", "c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x98\x83X\x06\x00\x00\x00latin1\x86R.", "REDUCE: _codecs.encode: text is not latin1"},
		{"encode invalid utf-8", "c_codecs\nencode\nX\x01\x00\x00\x00\xffX\x06\x00\x00\x00latin1\x86R.", "_codecs.encode: text is not latin1"},
		{"encode bytes", "c_codecs\nencode\nU\x01aX\x06\x00\x00\x00latin1\x86R.", "_codecs.encode of a bytes, want a str"},
		{"encode 3 args", "c_codecs\nencode\n(NNNtR.", "_codecs.encode with 3 arguments, want 2"},
		{"encode again and again", "c_codecs\nencode\nq\x00X\x10\x00\x00\x00" + strings.Repeat("a", 16) + "X\x06\x00\x00\x00latin1\x86q\x01" +
			strings.Repeat("(h\x00h\x01Rt", 10) + ".", "_codecs.encode: more text than the pickle holds"},
		{"bytes with args", "c__builtin__\nbytes\nX\x01\x00\x00\x00a\x85R.", "REDUCE: __builtin__.bytes with 1 arguments, only bytes() is allowed"},
		{"reconstruct (1,)", "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x01\x85U\x01b\x87R.", "REDUCE: numpy.core.multiarray._reconstruct(numpy.ndarray, a tuple, b\"b\"): want (numpy.ndarray, (0,), b'b')"},
		{"reconstruct other class", "cnumpy.core.multiarray\n_reconstruct\ncnumpy\ndtype\nK\x00\x85U\x01b\x87R.", "_reconstruct(numpy.dtype, a tuple, b\"b\"): want"},
		{"dtype name int", "cnumpy\ndtype\nK\x01K\x00K\x01\x87R.", "REDUCE: numpy.dtype: name is a int"},
		{"dtype 2 args", "cnumpy\ndtype\nU\x02u1K\x00\x86R.", `REDUCE: numpy.dtype(b"u1", 0): want (name, align, copy)`},
		{"dtype f16", "cnumpy\ndtype\nU\x03f16K\x00K\x01\x87R.", `REDUCE: dtype "f16" not supported`},
		{"dtype u3", "cnumpy\ndtype\nU\x02u3K\x00K\x01\x87R.", `dtype "u3" not supported`},
		{"dtype b2", "cnumpy\ndtype\nU\x02b2K\x00K\x01\x87R.", `dtype "b2" not supported`},
		{"dtype u+8", "cnumpy\ndtype\nU\x03u+8K\x00K\x01\x87R.", `dtype "u+8" not supported`},
		{"dtype S5", "cnumpy\ndtype\nU\x02S5K\x00K\x01\x87R.", `dtype "S5" not supported`},
		{"dtype U", "cnumpy\ndtype\nU\x01UK\x00K\x01\x87R.", `dtype "U" not supported`},
		{"dtype native order", dtypeState("u2", "U\x01=NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00") + ".", `BUILD: dtype u2 with byte order b"="`},
		{"dtype | for u2", dtypeState("u2", "U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00") + ".", `BUILD: dtype u2 with byte order b"|"`},
		{"dtype fields", dtypeState("u1", "U\x01|NN}J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00") + ".", "BUILD: structured, subarray or metadata dtypes are not supported"},
		{"dtype metadata", "cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x04U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00}tb.", "structured, subarray or metadata dtypes are not supported"},
		{"dtype version 2", "cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x02U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb.", "BUILD: dtype state version 2, want 3 or 4"},
		{"dtype short state", "cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03U\x01|tb.", "BUILD: dtype state of 2 items, want 8 or 9"},
		{"dtype elsize", dtypeState("u1", "U\x01|NNNK\x05J\xff\xff\xff\xffK\x00") + ".", "BUILD: dtype |u1 with elsize or alignment 5"},
		{"dtype flags", dtypeState("u1", "U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffN") + ".", "BUILD: dtype flags are a None, want an int"},
		{"shape mismatch", array("K\x02K\x03\x86", u1, "U\x05abcde") + ".", "BUILD: ndarray of shape (2, 3) and dtype |u1 does not match its 5 data bytes"},
		{"shape overflow", array("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x86", u1, "U\x00") + ".", "BUILD: ndarray of shape (4611686018427387904, 4611686018427387904) and dtype |u1 does not match its 0 data bytes"},
		{"shape overflow to zero", array("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40K\x04\x86", u1, "U\x00") + ".", "does not match its 0 data bytes"},
		{"negative shape", array("J\xff\xff\xff\xff\x85", u1, "U\x00") + ".", "BUILD: ndarray shape (-1,)"},
		{"shape of str", array("U\x01a\x85", u1, "U\x00") + ".", `BUILD: ndarray shape (b"a",)`},
		{"shape not a tuple", array("N", u1, "U\x00") + ".", "BUILD: ndarray shape is a None, want a tuple"},
		{"65 dimensions", array("("+strings.Repeat("K\x01", 65)+"t", u1, "U\x01a") + ".", "BUILD: ndarray of 65 dimensions, at most 64 allowed"},
		{"data list", array("K\x00\x85", u1, "]") + ".", "BUILD: ndarray data is a list, want bytes (object arrays are not supported)"},
		{"data str", array("K\x01\x85", u1, "X\x01\x00\x00\x00a") + ".", "BUILD: ndarray data is a str, want bytes"},
		{"dtype not a dtype", array("K\x00\x85", "N", "U\x00") + ".", "BUILD: ndarray dtype is a None"},
		{"array version 2", reconstruct + "(K\x02K\x00\x85" + u1 + "\x89U\x00tb.", "BUILD: ndarray state version 2, want 1"},
		{"array state 3", reconstruct + "(K\x00\x85" + u1 + "\x89tb.", "BUILD: ndarray state of 3 items, want 5"},
		{"fortran none", reconstruct + "(K\x01K\x00\x85" + u1 + "NU\x00tb.", "BUILD: ndarray is_fortran is a None, want a bool"},
		{"array state none", reconstruct + "Nb.", "BUILD: state of a ndarray is a None, want a tuple"},
		{"build list", "]N\x85b.", "offset 3: BUILD: BUILD of a list not allowed"},
		{"build none", "N)b.", "BUILD: BUILD of a None not allowed"},
		{"frombuffer order", frombuffer + "(U\x01a" + u1 + "K\x01\x85U\x01Kt" + "R.", "REDUCE: numpy.core.numeric._frombuffer: order b\"K\", want 'C' or 'F'"},
		{"frombuffer length", frombuffer + "(U\x01a" + u1 + "K\x02\x85U\x01Ct" + "R.", "REDUCE: ndarray of shape (2,) and dtype |u1 does not match its 1 data bytes"},
		{"frombuffer buffer", frombuffer + "(N" + u1 + "K\x02\x85U\x01Ct" + "R.", "_frombuffer: buffer is a None, want bytes"},
		{"frombuffer dtype", frombuffer + "(U\x01aNK\x02\x85U\x01Ct" + "R.", "_frombuffer: dtype is a None"},
		{"frombuffer 3 args", frombuffer + "(U\x01aNNt" + "R.", "_frombuffer with 3 arguments, want 4"},
		{"next buffer", "\x80\x05\x97.", "offset 2: NEXT_BUFFER: out-of-band buffers are not supported"},
		{"readonly buffer", "\x80\x05N\x98.", "offset 3: READONLY_BUFFER: out-of-band buffers are not supported"},
		{"unknown opcode", "\xff.", "pickle: offset 0: unknown opcode 0xff"},
		{"persid", "Pxyz\n.", "pickle: offset 0: opcode PERSID ('P') not supported"},
		{"newobj", "\x80\x02cnumpy\nndarray\n)\x81.", "offset 18: opcode NEWOBJ ('\\u0081') not supported"},
		{"pop", "NN0.", "opcode POP ('0') not supported"},
		{"stack limit", strings.Repeat("(", maxStack+1), "offset 1048576: MARK: stack exceeds 1048576 items"},
		{"stack limit items", strings.Repeat("N", maxStack+1), "offset 1048576: NONE: stack exceeds 1048576 items"},
		{"memo limit", "N" + strings.Repeat("\x94", maxMemo+1), "offset 1048577: MEMOIZE: memo exceeds 1048576 entries"},
	}
	for _, tt := range tests {
		v, err := Decode([]byte(tt.in))
		var e *Error
		if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &e) {
			t.Errorf("%s: got %#v, %v\nwant error %q", tt.name, v, err, tt.err)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	shared := &List{Items: []Value{int64(1)}}
	tests := []struct {
		name, in string
		want     Value
	}{
		{"long1 zero", "\x8a\x00.", int64(0)},
		{"long1 -1 with sign bytes", "\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff.", int64(-1)},
		{"long1 -2^63", "\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.", int64(math.MinInt64)},
		{"long1 2^63-1 padded", "\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\x00.", int64(math.MaxInt64)},
		{"long1 -129", "\x8a\x02\x7f\xff.", int64(-129)},
		{"int text", "I-5\n.", int64(-5)},
		{"int true", "I01\n.", true},
		{"int false", "I00\n.", false},
		{"binint", "J\xfe\xff\xff\xff.", int64(-2)},
		{"binint2", "M\xff\xff.", int64(65535)},
		{"binfloat", "G\x3f\xf8\x00\x00\x00\x00\x00\x00.", 1.5},
		{"after stop", "N.garbage", nil},
		{"frame", "\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N.", nil},
		{"empty containers", "]})\x87.", Tuple{&List{}, &Dict{}, Tuple{}}},
		{"tuple from mark", "(K\x01K\x02K\x03K\x04t.", Tuple{int64(1), int64(2), int64(3), int64(4)}},
		{"empty tuple from mark", "(t.", Tuple{}},
		{"memo keeps the object", "]q\x00K\x01ah\x00\x86.", Tuple{shared, shared}},
		{"memoize", "\x80\x04\x8c\x01a\x94h\x00\x86.", Tuple{"a", "a"}},
		{"bytes()", "c__builtin__\nbytes\n)R.", []byte{}},
		{"builtins.bytes()", "\x8c\x08builtins\x8c\x05bytes\x93)R.", []byte{}},
		{"encode latin1", "c_codecs\nencode\nX\x04\x00\x00\x00a\xc3\xbf\x00X\x07\x00\x00\x00latin-1\x86R.", []byte{'a', 0xff, 0}},
		{"bytearray8", "\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab.", []byte("ab")},
		{"short binbytes", "C\x02ab.", []byte("ab")},
		{"binbytes", "B\x02\x00\x00\x00ab.", []byte("ab")},
		{"unicode8", "\x8d\x02\x00\x00\x00\x00\x00\x00\x00ab.", "ab"},
		{"short unicode", "\x8c\x03\xc3\xa9!.", "é!"},
		{"empty array", reconstruct + ".", &Array{Dtype: Dtype{'i', 1, '|'}, Shape: []int{0}, Data: []byte{}}},
		{"numpy 2 array", "\x8c\x16numpy._core.multiarray\x8c\x0c_reconstruct\x93cnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01K\x02\x85" + u1 + "\x89C\x02\x07\x08tb.",
			&Array{Dtype: Dtype{'u', 1, '|'}, Shape: []int{2}, Data: []byte{7, 8}}},
		{"array without version", reconstruct + "(K\x02\x85" + u1 + "\x88U\x02\x07\x08tb.", &Array{Dtype: Dtype{'u', 1, '|'}, Shape: []int{2}, Fortran: true, Data: []byte{7, 8}}},
		{"zero dimension", array("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40K\x00\x86", u1, "U\x00") + ".", &Array{Dtype: Dtype{'u', 1, '|'}, Shape: []int{1 << 62, 0}, Data: []byte{}}},
		{"dtype u2 big-endian", dtypeState("u2", "U\x01>NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00") + ".", &Dtype{'u', 2, '>'}},
		{"dtype <u1", dtypeState("u1", "U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00") + ".", &Dtype{'u', 1, '|'}},
		{"dtype elsize", dtypeState("i4", "U\x01<NNNK\x04K\x04K\x00") + ".", &Dtype{'i', 4, '<'}},
		{"dtype v4", "cnumpy\ndtype\nU\x02f8\x89\x88\x87R(K\x04U\x01>NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00Ntb.", &Dtype{'f', 8, '>'}},
		{"dtype unbuilt", "cnumpy\ndtype\nU\x03>i8K\x00K\x01\x87R.", &Dtype{'i', 8, '>'}},
		{"dtype unbuilt native", "cnumpy\ndtype\nU\x02i8K\x00K\x01\x87R.", &Dtype{'i', 8, '<'}},
		{"global as value", "cnumpy\nndarray\n.", Global{"numpy", "ndarray"}},
		{"frombuffer F", frombuffer + "(C\x06\x00\x03\x01\x04\x02\x05" + u1 + "K\x02K\x03\x86U\x01Ft" + "R.", &Array{Dtype: Dtype{'u', 1, '|'}, Shape: []int{2, 3}, Fortran: true, Data: []byte{0, 3, 1, 4, 2, 5}}},
	}
	for _, tt := range tests {
		v, err := Decode([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(v, tt.want) {
			t.Errorf("%s: got %#v, %v\nwant %#v", tt.name, v, err, tt.want)
		}
	}
	// The memo holds the object itself: both items are the same list.
	v, _ := Decode([]byte("]q\x00K\x01ah\x00\x86."))
	if tup := v.(Tuple); tup[0].(*List) != tup[1].(*List) {
		t.Error("BINGET returned a copy of the memoized list")
	}
}

func TestDict(t *testing.T) {
	v, err := Decode([]byte("}(U\x01aK\x01X\x01\x00\x00\x00bK\x02U\x01bK\x03U\x01aK\x04X\x01\x00\x00\x00cK\x05u."))
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*Dict)
	if d.Len() != 4 {
		t.Fatalf("Len = %d, want 4", d.Len())
	}
	// Setting a key again replaces its value and keeps its place.
	wantKeys := []Value{[]byte("a"), "b", []byte("b"), "c"}
	for i, want := range wantKeys {
		if k, _ := d.Item(i); !reflect.DeepEqual(k, want) {
			t.Errorf("key %d = %#v, want %#v", i, k, want)
		}
	}
	for _, tt := range []struct {
		key  string
		want Value
		ok   bool
	}{{"a", int64(4), true}, {"b", int64(2), true}, {"c", int64(5), true}, {"d", nil, false}} {
		if v, ok := d.Get(tt.key); v != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %v, %v; want %v, %v", tt.key, v, ok, tt.want, tt.ok)
		}
	}
}

func TestAccessors(t *testing.T) {
	u1 := Dtype{'u', 1, '|'}
	tests := []struct {
		name   string
		a      Array
		uint8  []byte
		ints   []int64
		floats []float64
		err    string // of whichever accessors fail
	}{
		{name: "u1", a: Array{Dtype: u1, Shape: []int{3}, Data: []byte{0, 128, 255}},
			uint8: []byte{0, 128, 255}, ints: []int64{0, 128, 255}, err: "pickle: ndarray of dtype |u1, want floats"},
		{name: "u1 fortran", a: Array{Dtype: u1, Shape: []int{2, 3}, Fortran: true, Data: []byte{0, 3, 1, 4, 2, 5}},
			uint8: []byte{0, 1, 2, 3, 4, 5}, ints: []int64{0, 1, 2, 3, 4, 5}, err: "want floats"},
		{name: "u1 fortran 3-D", a: Array{Dtype: u1, Shape: []int{2, 2, 2}, Fortran: true, Data: []byte{0, 4, 2, 6, 1, 5, 3, 7}},
			uint8: []byte{0, 1, 2, 3, 4, 5, 6, 7}, ints: []int64{0, 1, 2, 3, 4, 5, 6, 7}, err: "want floats"},
		{name: "u1 fortran 1-D", a: Array{Dtype: u1, Shape: []int{3}, Fortran: true, Data: []byte{9, 8, 7}},
			uint8: []byte{9, 8, 7}, ints: []int64{9, 8, 7}, err: "want floats"},
		{name: "i1", a: Array{Dtype: Dtype{'i', 1, '|'}, Shape: []int{2}, Data: []byte{0x80, 0xff}},
			ints: []int64{-128, -1}, err: "pickle: ndarray of dtype |i1, want uint8"},
		{name: "b1", a: Array{Dtype: Dtype{'b', 1, '|'}, Shape: []int{3}, Data: []byte{0, 1, 2}},
			ints: []int64{0, 1, 1}, err: "dtype |b1, want uint8"},
		{name: "<i2 fortran", a: Array{Dtype: Dtype{'i', 2, '<'}, Shape: []int{2, 2}, Fortran: true, Data: []byte{1, 0, 3, 0, 2, 0, 0xfc, 0xff}},
			ints: []int64{1, 2, 3, -4}, err: "dtype <i2, want"},
		{name: ">u2", a: Array{Dtype: Dtype{'u', 2, '>'}, Shape: []int{2}, Data: []byte{1, 2, 0xff, 0xff}},
			ints: []int64{258, 65535}, err: "dtype >u2, want"},
		{name: ">i4", a: Array{Dtype: Dtype{'i', 4, '>'}, Shape: []int{1}, Data: []byte{0xff, 0xff, 0xff, 0xfe}},
			ints: []int64{-2}, err: "dtype >i4, want"},
		{name: "<u4", a: Array{Dtype: Dtype{'u', 4, '<'}, Shape: []int{1}, Data: []byte{0xff, 0xff, 0xff, 0xff}},
			ints: []int64{1<<32 - 1}, err: "dtype <u4, want"},
		{name: "<i8", a: Array{Dtype: Dtype{'i', 8, '<'}, Shape: []int{1}, Data: []byte{0, 0, 0, 0, 0, 0, 0, 0x80}},
			ints: []int64{math.MinInt64}, err: "dtype <i8, want"},
		{name: ">u8 too big", a: Array{Dtype: Dtype{'u', 8, '>'}, Shape: []int{2}, Data: []byte{0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0}},
			err: "pickle: element 1 of ndarray is 9223372036854775808, beyond int64"},
		{name: "<f2", a: Array{Dtype: Dtype{'f', 2, '<'}, Shape: []int{7}, Data: []byte{0x00, 0x3c, 0x01, 0x00, 0xff, 0x7b, 0x00, 0x7c, 0x00, 0xfc, 0x00, 0x80, 0x00, 0xc0}},
			floats: []float64{1, 0x1p-24, 65504, math.Inf(1), math.Inf(-1), math.Copysign(0, -1), -2}, err: "dtype <f2, want"},
		{name: ">f4", a: Array{Dtype: Dtype{'f', 4, '>'}, Shape: []int{1}, Data: []byte{0x3f, 0xa0, 0, 0}},
			floats: []float64{1.25}, err: "dtype >f4, want"},
		{name: "<f8 fortran", a: Array{Dtype: Dtype{'f', 8, '<'}, Shape: []int{2, 1}, Fortran: true, Data: []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0}},
			floats: []float64{1.5, -2}, err: "dtype <f8, want"},
	}
	for _, tt := range tests {
		var errs []string
		if b, err := tt.a.Uint8(); err != nil {
			errs = append(errs, err.Error())
		} else if !slices.Equal(b, tt.uint8) {
			t.Errorf("%s: Uint8 = %v, want %v", tt.name, b, tt.uint8)
		}
		if v, err := tt.a.Ints(); err != nil {
			errs = append(errs, err.Error())
		} else if !slices.Equal(v, tt.ints) {
			t.Errorf("%s: Ints = %v, want %v", tt.name, v, tt.ints)
		}
		if v, err := tt.a.Floats(); err != nil {
			errs = append(errs, err.Error())
		} else if !slices.EqualFunc(v, tt.floats, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Errorf("%s: Floats = %v, want %v", tt.name, v, tt.floats)
		}
		fails := 0
		for _, none := range []bool{tt.uint8 == nil, tt.ints == nil, tt.floats == nil} {
			if none {
				fails++
			}
		}
		if len(errs) != fails {
			t.Errorf("%s: %d accessors failed, want %d: %q", tt.name, len(errs), fails, errs)
		}
		if all := strings.Join(errs, "\n"); !strings.Contains(all, tt.err) {
			t.Errorf("%s: errors %q, want one with %q", tt.name, all, tt.err)
		}
	}
	if f := halfToFloat(0x7e00); !math.IsNaN(f) {
		t.Errorf("half NaN = %v", f)
	}
}

func TestInts(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want []int64
		err  string
	}{
		{"list", &List{Items: []Value{int64(3), true, false, int64(-1)}}, []int64{3, 1, 0, -1}, ""},
		{"empty list", &List{}, []int64{}, ""},
		{"array", &Array{Dtype: Dtype{'i', 2, '>'}, Shape: []int{2}, Data: []byte{0xff, 0xfe, 0, 9}}, []int64{-2, 9}, ""},
		{"list with str", &List{Items: []Value{int64(3), "x"}}, nil, "pickle: item 1 of the list is a str, want an int"},
		{"float array", &Array{Dtype: Dtype{'f', 8, '<'}, Shape: []int{0}, Data: []byte{}}, nil, "pickle: ndarray of dtype <f8, want integers"},
		{"tuple", Tuple{int64(1)}, nil, "pickle: tuple, want a list of ints or an integer ndarray"},
		{"none", nil, nil, "pickle: None, want a list of ints or an integer ndarray"},
	}
	for _, tt := range tests {
		got, err := Ints(tt.v)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestTypeName(t *testing.T) {
	for _, tt := range []struct {
		v    Value
		want string
	}{
		{nil, "None"}, {true, "bool"}, {int64(1), "int"}, {1.5, "float"}, {"", "str"},
		{[]byte{}, "bytes"}, {&List{}, "list"}, {Tuple{}, "tuple"}, {&Dict{}, "dict"},
		{&Array{}, "ndarray"}, {&Dtype{}, "dtype"}, {Global{"numpy", "dtype"}, "global numpy.dtype"},
		{3, "int"}, // not a Value the decoder makes: its Go type
	} {
		if got := TypeName(tt.v); got != tt.want {
			t.Errorf("TypeName(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestTruncated decodes every proper prefix of some files: each must fail
// (the first STOP the decoder reaches is the last byte) without panicking.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"misc_py2.pickle", "misc_p5.pickle", "svhn_p2.pickle", "cifar_py2.pickle", "cifar_p4.pickle"} {
		b := readFile(t, name)
		for n := 0; n < len(b); n++ {
			if n > 2000 && n%17 != 0 && n < len(b)-100 {
				continue // every prefix near the ends, some in between
			}
			if _, err := Decode(b[:n:n]); err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded without error", name, n)
			}
		}
	}
}

func TestFilesDecodeWhole(t *testing.T) {
	// Every fixture that is not bad_* decodes, and every bad_* fails:
	// a guard against files added without tests.
	files, err := filepath.Glob("testdata/*.pickle")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	for _, f := range files {
		_, err := Decode(readFile(t, filepath.Base(f)))
		if bad := strings.HasPrefix(filepath.Base(f), "bad_"); bad != (err != nil) {
			t.Errorf("%s: error %v", f, err)
		}
	}
}
