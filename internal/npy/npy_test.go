package npy

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// The golden files in testdata were written by numpy 1.24.2; see
// testdata/gen.py.

// grid returns the rows×cols matrix with a[i, j] = i*10 + j + off, the
// formula gen.py uses.
func grid(rows, cols int, off float32) *Matrix {
	m := &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
	for i := range rows {
		for j := range cols {
			m.Data[i*cols+j] = float32(i*10+j) + off
		}
	}
	return m
}

func mustOneHot(t *testing.T, classes []int, n int) *Matrix {
	t.Helper()
	m, err := OneHot(classes, n)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameMatrix reports whether a and b have the same shape and bit-identical
// values.
func sameMatrix(a, b *Matrix) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols || len(a.Data) != len(b.Data) {
		return false
	}
	for i := range a.Data {
		if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
			return false
		}
	}
	return true
}

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		file string
		m    *Matrix
	}{
		{"f4_3x4.npy", grid(3, 4, 0.5)},
		{"f4_0x10.npy", &Matrix{Rows: 0, Cols: 10}},
		{"onehot_5x10.npy", mustOneHot(t, []int{3, 0, 9, 1, 5}, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.m); err != nil {
				t.Fatal(err)
			}
			if want := readGolden(t, tt.file); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("Write output differs from numpy's:\ngot  %q\nwant %q", buf.Bytes(), want)
			}
		})
	}
}

// TestWriteHeaderGolden checks the header against the headers numpy writes
// for shapes too large to save.
func TestWriteHeaderGolden(t *testing.T) {
	var headers []struct {
		Rows, Cols int
		Hex        string
	}
	if err := json.Unmarshal(readGolden(t, "headers.json"), &headers); err != nil {
		t.Fatal(err)
	}
	if len(headers) == 0 {
		t.Fatal("no headers in headers.json")
	}
	for _, h := range headers {
		want, err := hex.DecodeString(h.Hex)
		if err != nil {
			t.Fatal(err)
		}
		got := appendHeader(nil, h.Rows, h.Cols)
		if !bytes.Equal(got, want) {
			t.Errorf("header for (%d, %d):\ngot  %q\nwant %q", h.Rows, h.Cols, got, want)
		}
		if len(got)%arrayAlign != 0 {
			t.Errorf("header for (%d, %d) has length %d, not a multiple of %d", h.Rows, h.Cols, len(got), arrayAlign)
		}
	}
}

// TestWriteCIFARSize checks the sizes the README talks about: numpy 1.24
// writes a 128-byte header for CIFAR-10's 50000×10 labels.
func TestWriteCIFARSize(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &Matrix{Rows: 50000, Cols: 10, Data: make([]float32, 500000)}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.Len(), 2000128; got != want {
		t.Errorf("Write wrote %d bytes, want %d", got, want)
	}
	h, err := ReadHeader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if h.HeaderLen != 128 {
		t.Errorf("HeaderLen = %d, want 128", h.HeaderLen)
	}
}

type goldenValues map[string]struct {
	Rows, Cols int
	Bits       []uint32
}

func TestReadGolden(t *testing.T) {
	var values goldenValues
	if err := json.Unmarshal(readGolden(t, "values.json"), &values); err != nil {
		t.Fatal(err)
	}
	if len(values) < 15 {
		t.Fatalf("values.json has only %d files", len(values))
	}
	// Some files also have values stated here, from the formulas in gen.py.
	stated := map[string]*Matrix{
		"f4_3x4.npy":         grid(3, 4, 0.5),
		"f4_0x10.npy":        {Rows: 0, Cols: 10, Data: []float32{}},
		"onehot_5x10.npy":    mustOneHot(t, []int{3, 0, 9, 1, 5}, 10),
		"f4_fortran_3x2.npy": grid(3, 2, 0.5),
		"f4_be_2x3.npy":      grid(2, 3, 0.5),
		"f8_be_2x2.npy":      grid(2, 2, 0.125),
		"f4_v2_2x3.npy":      grid(2, 3, 0.5),
		"f4_v3_2x3.npy":      grid(2, 3, 0.5),
		"v1_align16_2x3.npy": grid(2, 3, 0.5),
		"i8_5.npy":           {Rows: 5, Cols: 1, Data: []float32{-2, -1, 0, 1 << 40, 1<<62 + 1<<39}},
		"u1_2x3.npy":         {Rows: 2, Cols: 3, Data: []float32{0, 1, 2, 127, 128, 255}},
		"b1_2x2.npy":         {Rows: 2, Cols: 2, Data: []float32{1, 0, 0, 1}},
		"f2_2x4.npy": {Rows: 2, Cols: 4, Data: []float32{0, 1, -2, 0.5,
			65504, 1.0 / (1 << 24), float32(math.Inf(1)), float32(math.NaN())}},
	}
	for name, v := range values {
		want := &Matrix{Rows: v.Rows, Cols: v.Cols, Data: make([]float32, len(v.Bits))}
		for i, b := range v.Bits {
			want.Data[i] = math.Float32frombits(b)
		}
		if s, ok := stated[name]; ok && !sameMatrix(s, want) {
			// NaN bit patterns may differ between Go's and numpy's NaN.
			if name != "f2_2x4.npy" || !reflect.DeepEqual(s.Data[:7], want.Data[:7]) {
				t.Errorf("%s: values.json has %v, test states %v", name, want, s)
			}
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			b := readGolden(t, name)
			readers := map[string]func() io.Reader{
				"bytes.Reader": func() io.Reader { return bytes.NewReader(b) },
				"stream":       func() io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} },
				"OneByte":      func() io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
				"os.File": func() io.Reader {
					f, err := os.Open(path)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { f.Close() })
					return f
				},
			}
			for rname, r := range readers {
				got, err := Read(r())
				if err != nil {
					t.Fatalf("Read(%s): %v", rname, err)
				}
				if !sameMatrix(got, want) {
					t.Errorf("Read(%s) = %v, want %v", rname, got, want)
				}
			}
			got, err := ReadFile(path)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if !sameMatrix(got, want) {
				t.Errorf("ReadFile = %v, want %v", got, want)
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		file string
		want Header
	}{
		{"f4_3x4.npy", Header{Descr: "<f4", Shape: []int{3, 4}, HeaderLen: 128}},
		{"f4_0x10.npy", Header{Descr: "<f4", Shape: []int{0, 10}, HeaderLen: 128}},
		{"f4_fortran_3x2.npy", Header{Descr: "<f4", Fortran: true, Shape: []int{3, 2}, HeaderLen: 128}},
		{"f4_be_2x3.npy", Header{Descr: ">f4", Shape: []int{2, 3}, HeaderLen: 128}},
		{"f4_v2_2x3.npy", Header{Descr: "<f4", Shape: []int{2, 3}, HeaderLen: 128}},
		{"f4_v3_2x3.npy", Header{Descr: "<f4", Shape: []int{2, 3}, HeaderLen: 128}},
		{"v1_align16_2x3.npy", Header{Descr: "<f4", Shape: []int{2, 3}, HeaderLen: 80}},
		{"i8_5.npy", Header{Descr: "<i8", Shape: []int{5}, HeaderLen: 128}},
		{"u1_2x3.npy", Header{Descr: "|u1", Shape: []int{2, 3}, HeaderLen: 128}},
		{"b1_2x2.npy", Header{Descr: "|b1", Shape: []int{2, 2}, HeaderLen: 128}},
		{"f2_2x4.npy", Header{Descr: "<f2", Shape: []int{2, 4}, HeaderLen: 128}},
		// ReadHeader accepts what Read rejects.
		{"bad_3d.npy", Header{Descr: "<f4", Shape: []int{2, 2, 2}, HeaderLen: 128}},
		{"bad_scalar.npy", Header{Descr: "<f4", Shape: []int{}, HeaderLen: 128}},
		{"bad_object.npy", Header{Descr: "|O", Shape: []int{3}, HeaderLen: 128}},
		{"bad_complex.npy", Header{Descr: "<c8", Shape: []int{2, 2}, HeaderLen: 128}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readGolden(t, tt.file)
			r := bytes.NewReader(b)
			h, err := ReadHeader(r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h, tt.want) {
				t.Errorf("ReadHeader = %+v, want %+v", h, tt.want)
			}
			if rest := len(b) - r.Len(); rest != h.HeaderLen {
				t.Errorf("ReadHeader consumed %d bytes, want %d", rest, h.HeaderLen)
			}
		})
	}
}

// npyFile returns a .npy file with the given version, header dict (used
// as is, without padding) and data.
func npyFile(major byte, header string, data []byte) []byte {
	b := []byte(magic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	b = append(b, header...)
	return append(b, data...)
}

// f4 returns the little-endian float32 encoding of v.
func f4(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// TestHeaderLiteral checks that the header dict is parsed as a Python
// literal, not matched against numpy's exact output.
func TestHeaderLiteral(t *testing.T) {
	data := f4(1, 2, 3, 4, 5, 6)
	tests := []struct {
		name   string
		major  byte
		header string
		want   Header // HeaderLen is filled in by the test
	}{
		{"numpy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"key order", 1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"double quotes", 1, `{"descr": "<f4", "fortran_order": True, "shape": (3, 2)}`, Header{Descr: "<f4", Fortran: true, Shape: []int{3, 2}}},
		{"whitespace", 1, "  {\n\t'descr'  :'<f4' ,\r\n 'fortran_order':False,'shape':( 2 ,3 , ) ,\n}   \n\n", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"1-d", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", Header{Descr: "<f4", Shape: []int{6}}},
		{"0-d", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", Header{Descr: "<f4", Shape: []int{}}},
		{"paren shape", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': ((2), (3))}", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"python2 long", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"python2 unicode", 2, "{u'descr': u'<f4', u'fortran_order': False, u'shape': (2, 3), }", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"escapes", 1, `{'descr': '\x3cf\x34', 'fortran_order': False, 'shape': (2, 3)}`, Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"comments", 1, "{'descr': '<f4', # dtype\n 'fortran_order': False, 'shape': (2, 3)} # end\n", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"int syntax", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0b1_0, 0o3), }", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"repeated key", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'descr': '<f4'}", Header{Descr: "<f4", Shape: []int{2, 3}}},
		{"version 3 utf-8", 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} \u00a0", Header{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := npyFile(tt.major, tt.header, data)
			h, err := ReadHeader(bytes.NewReader(b))
			if tt.name == "version 3 utf-8" {
				// U+00A0 is not whitespace in a Python literal.
				if err == nil || !strings.Contains(err.Error(), "unexpected") {
					t.Fatalf("ReadHeader: got %v, want an error about the trailing character", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.HeaderLen = len(b) - len(data)
			if !reflect.DeepEqual(h, tt.want) {
				t.Errorf("ReadHeader = %+v, want %+v", h, tt.want)
			}
			if len(h.Shape) == 0 {
				return
			}
			m, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want := &Matrix{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
			switch {
			case len(h.Shape) == 1:
				want.Rows, want.Cols = 6, 1
			case h.Fortran:
				want = &Matrix{Rows: 3, Cols: 2, Data: []float32{1, 4, 2, 5, 3, 6}}
			}
			if !sameMatrix(m, want) {
				t.Errorf("Read = %v, want %v", m, want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	good := readGolden(t, "f4_3x4.npy")
	header := func(dict string) []byte { return npyFile(1, dict, f4(1, 2, 3, 4, 5, 6)) }
	withLen := func(b []byte, n uint16) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint16(b[8:], n)
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string // substring of the error
		eof  bool   // the error wraps io.ErrUnexpectedEOF
	}{
		{"empty", nil, "empty input", false},
		{"bad magic", append([]byte("PK\x03\x04NUMPY\x01\x00"), good[10:]...), `bad magic string "PK\x03\x04NU"`, false},
		{"bad magic short", []byte("\x93NUMPX"), "bad magic string", false},
		{"truncated magic", good[:4], "truncated magic string and version: need 8 bytes, got 4", true},
		{"version 0.9", append([]byte("\x93NUMPY\x00\x09"), good[8:]...), "unsupported format version 0.9", false},
		{"version 1.1", append([]byte("\x93NUMPY\x01\x01"), good[8:]...), "unsupported format version 1.1", false},
		{"truncated header length", good[:9], "truncated header length: need 2 bytes, got 1", true},
		{"header length beyond file", withLen(good[:100], 118), "truncated header: need 118 bytes, got 90", true},
		{"huge header length", npyFile(2, "", nil)[:8:8], "truncated header length", true},
		{"header over limit", append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), good[10:]...), "header length 4294967295 exceeds the limit", false},
		{"truncated data", good[:len(good)-5], "truncated data: shape (3, 4) of '<f4' needs 48 bytes, got 43", true},
		{"no data", good[:128], "truncated data: shape (3, 4) of '<f4' needs 48 bytes, got 0", true},
		{"absurd shape", header("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904)}"), "shape (4611686018427387904, 4611686018427387904) is too large", false},
		{"large shape", header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000)}"), "needs 8000000000000 bytes, got 24", true},
		{"int overflow", header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 1)}"), "integer 99999999999999999999 out of range", false},
		{"negative dim", header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3)}"), "invalid dimension -2", false},
		{"object dtype", readGolden(t, "bad_object.npy"), `object arrays (dtype "|O") are not supported`, false},
		{"structured dtype", readGolden(t, "bad_struct.npy"), "structured dtypes are not supported", false},
		{"complex dtype", readGolden(t, "bad_complex.npy"), `unsupported dtype "<c8"`, false},
		{"string dtype", header("{'descr': '<U3', 'fortran_order': False, 'shape': (2,)}"), `unsupported dtype "<U3"`, false},
		{"f16 dtype", header("{'descr': '<f16', 'fortran_order': False, 'shape': (2,)}"), `unsupported dtype "<f16"`, false},
		{"3-d", readGolden(t, "bad_3d.npy"), "shape (2, 2, 2) has 3 dimensions", false},
		{"0-d", readGolden(t, "bad_scalar.npy"), "0-d arrays are not supported", false},
		{"garbage header", withLen(append(good[:10:10], "\x00\x01garbage!"+strings.Repeat(" ", 108)+"\n"+string(good[128:])...), 118), `invalid header "\x00\x01garbage!"`, false},
		{"not a dict", header("('<f4', False, (2, 3))"), "not a dict", false},
		{"call", header("dict(descr='<f4', fortran_order=False, shape=(2, 3))"), `unexpected name "dict"`, false},
		{"expression", header("{'descr': '<f4', 'fortran_order': False, 'shape': (2*3,)}"), "expected ',' or ')'", false},
		{"float dim", header("{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,)}"), "unsupported number syntax", false},
		{"shape not tuple", header("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}"), "'shape' is an integer, not a tuple", false},
		{"shape list", header("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}"), "'shape' is a list, not a tuple", false},
		{"fortran not bool", header("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}"), "'fortran_order' is an integer, not a bool", false},
		{"missing key", header("{'descr': '<f4', 'shape': (2, 3)}"), "missing key 'fortran_order'", false},
		{"extra key", header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"), `unexpected key "x"`, false},
		{"unterminated string", header("{'descr': '<f4"), "offset 10: unterminated string", false},
		{"newline in string", header("{'descr': '<f4\n', 'fortran_order': False, 'shape': (2, 3)}"), "unterminated string", false},
		{"unquoted string", header("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}"), "offset 17: expected ',' or '}', found 'f'", false},
		{"missing colon", header("{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}"), "expected ':', found '\\''", false},
		{"unterminated dict", header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)"), "expected ',' or '}', found end of header", false},
		{"trailing garbage", header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x"), "unexpected 'x' after the literal", false},
		{"long in version 3", npyFile(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L)}", f4(1, 2, 3, 4, 5, 6)), `invalid integer "2L"`, false},
		{"leading zero", header("{'descr': '<f4', 'fortran_order': False, 'shape': (06,)}"), `offset 51: invalid integer "06"`, false},
		{"bad underscore", header("{'descr': '<f4', 'fortran_order': False, 'shape': (1__0,)}"), `invalid integer "1__0"`, false},
		{"null padding", header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}\x00"), `unexpected '\x00' after the literal`, false},
		{"bad utf-8 in version 3", npyFile(3, "{'descr': '<f4\xff', 'fortran_order': False, 'shape': (2, 3)}", nil), "not valid UTF-8", false},
		{"deep nesting", header("{'descr': " + strings.Repeat("[", 100) + "}"), "nested more than 16 deep", false},
		{"too many values", header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + strings.Repeat("1, ", 300) + ")}"), "more than 256 values", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(tt.in), struct{ io.Reader }{bytes.NewReader(tt.in)}} {
				m, err := Read(r)
				if err == nil {
					t.Fatalf("Read succeeded with %v, want error containing %q", m, tt.want)
				}
				if !strings.HasPrefix(err.Error(), "npy: ") || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Read error %q, want one containing %q", err, tt.want)
				}
				if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.eof {
					t.Errorf("errors.Is(%q, io.ErrUnexpectedEOF) = %v, want %v", err, got, tt.eof)
				}
			}
		})
	}
}

// TestReadAllocation checks that a header claiming a large array does not
// make Read allocate memory for it.
func TestReadAllocation(t *testing.T) {
	in := npyFile(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (1000000, 1000)}", []byte{1, 2, 3})
	for name, r := range map[string]func() io.Reader{
		"bytes.Reader": func() io.Reader { return bytes.NewReader(in) },
		"stream":       func() io.Reader { return struct{ io.Reader }{bytes.NewReader(in)} },
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(r())
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "needs 1000000000 bytes, got 3") {
			t.Errorf("%s: Read error %v, want truncated data", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("%s: Read allocated %d bytes for a %d-byte input", name, n, len(in))
		}
	}
}

// TestReadConsecutive checks that Read consumes exactly one array.
func TestReadConsecutive(t *testing.T) {
	a, b := grid(2, 3, 0.5), mustOneHot(t, []int{1, 0}, 4)
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	if err := Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	r := iotest.HalfReader(&buf)
	for _, want := range []*Matrix{a, b} {
		got, err := Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if !sameMatrix(got, want) {
			t.Errorf("Read = %v, want %v", got, want)
		}
	}
	if _, err := Read(r); err == nil || !strings.Contains(err.Error(), "empty input") {
		t.Errorf("Read at end: %v, want empty input error", err)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	trailing := filepath.Join(dir, "trailing.npy")
	if err := os.WriteFile(trailing, append(readGolden(t, "f4_3x4.npy"), 0, 0, 0, 0), 0o666); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.npy")
	if err := os.WriteFile(truncated, readGolden(t, "f4_3x4.npy")[:150], 0o666); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string
	}{
		{trailing, "npy: " + trailing + ": 4 bytes of trailing data after the array (the file has 180 bytes, header and data have 176)"},
		{truncated, "npy: " + truncated + ": truncated data: shape (3, 4) of '<f4' needs 48 bytes, got 22: unexpected EOF"},
		{filepath.Join(dir, "missing.npy"), "npy: open " + filepath.Join(dir, "missing.npy") + ": "},
		{filepath.Join("testdata", "bad_object.npy"), "npy: testdata/bad_object.npy: object arrays"},
	}
	for _, tt := range tests {
		_, err := ReadFile(tt.path)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s) error %q, want prefix %q", tt.path, err, tt.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.npy")
	m := mustOneHot(t, []int{3, 0, 9, 1, 5}, 10)
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, readGolden(t, "onehot_5x10.npy")) {
		t.Errorf("WriteFile wrote %q, want numpy's bytes", got)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameMatrix(back, m) {
		t.Errorf("ReadFile = %v, want %v", back, m)
	}

	bad := &Matrix{Rows: 2, Cols: 2, Data: []float32{1}}
	if err := WriteFile(path, bad); err == nil || err.Error() != "npy: "+path+": matrix is 2x2 but has 1 values" {
		t.Errorf("WriteFile with bad matrix: %v", err)
	}
	dirPath := filepath.Join(t.TempDir(), "no", "such", "dir.npy")
	if err := WriteFile(dirPath, m); err == nil || !strings.Contains(err.Error(), dirPath) {
		t.Errorf("WriteFile to missing directory: %v, want error naming the path", err)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		m    *Matrix
		want string
	}{
		{nil, "npy: nil matrix"},
		{&Matrix{Rows: -1, Cols: 2}, "npy: invalid matrix shape -1x2"},
		{&Matrix{Rows: 2, Cols: 3, Data: make([]float32, 5)}, "npy: matrix is 2x3 but has 5 values"},
		{&Matrix{Rows: 1 << 62, Cols: 1 << 62}, "npy: matrix is 4611686018427387904x4611686018427387904 but has 0 values"},
	}
	for _, tt := range tests {
		err := Write(io.Discard, tt.m)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Write(%v) error %v, want %q", tt.m, err, tt.want)
		}
	}
	werr := errors.New("disk full")
	err := Write(errWriter{werr}, grid(2, 2, 0))
	if !errors.Is(err, werr) {
		t.Errorf("Write to failing writer: %v, want %v", err, werr)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write(p []byte) (int, error) { return 0, w.err }

// TestWriteLarge checks that chunked writing produces the same bytes as
// encoding all at once.
func TestWriteLarge(t *testing.T) {
	m := grid(1000, 37, 0.25)
	var buf bytes.Buffer
	if err := Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	want := append(appendHeader(nil, 1000, 37), f4(m.Data...)...)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("Write output differs from header plus data")
	}
	got, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !sameMatrix(got, m) {
		t.Error("round trip changed the matrix")
	}
}

// TestReadFortranLarge checks transposition across decoding chunks.
func TestReadFortranLarge(t *testing.T) {
	const rows, cols = 1001, 7
	want := grid(rows, cols, 0.5)
	var data []byte
	for j := range cols {
		for i := range rows {
			data = append(data, f4(want.Data[i*cols+j])...)
		}
	}
	in := npyFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1001, 7), }", data)
	for _, r := range []io.Reader{bytes.NewReader(in), iotest.HalfReader(bytes.NewReader(in))} {
		got, err := Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if !sameMatrix(got, want) {
			t.Error("Fortran-order matrix read wrongly")
		}
	}
}

func TestOneHot(t *testing.T) {
	m, err := OneHot([]int{2, 0}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := &Matrix{Rows: 2, Cols: 3, Data: []float32{0, 0, 1, 1, 0, 0}}
	if !sameMatrix(m, want) {
		t.Errorf("OneHot = %v, want %v", m, want)
	}
	if m, err := OneHot(nil, 10); err != nil || m.Rows != 0 || m.Cols != 10 || len(m.Data) != 0 {
		t.Errorf("OneHot(nil, 10) = %v, %v", m, err)
	}
	for _, tt := range []struct {
		classes []int
		n       int
		want    string
	}{
		{[]int{0, 3}, 3, "npy: class 3 of row 1 is outside [0, 3)"},
		{[]int{-1}, 3, "npy: class -1 of row 0 is outside [0, 3)"},
		{[]int{0}, 0, "npy: class 0 of row 0 is outside [0, 0)"},
		{nil, -1, "npy: negative number of classes -1"},
	} {
		if _, err := OneHot(tt.classes, tt.n); err == nil || err.Error() != tt.want {
			t.Errorf("OneHot(%v, %d) error %v, want %q", tt.classes, tt.n, err, tt.want)
		}
	}
}

func TestRow(t *testing.T) {
	m := grid(3, 4, 0.5)
	r := m.Row(1)
	if want := []float32{10.5, 11.5, 12.5, 13.5}; !reflect.DeepEqual(r, want) || cap(r) != 4 {
		t.Errorf("Row(1) = %v (cap %d), want %v (cap 4)", r, cap(r), want)
	}
	r[0] = 99
	if m.Data[4] != 99 {
		t.Error("Row does not share storage with Data")
	}
	for _, i := range []int{-1, 3} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Row(%d) did not panic", i)
				}
			}()
			m.Row(i)
		}()
	}
}

// TestHalf checks the float16 conversion for every value against the
// definition of the format.
func TestHalf(t *testing.T) {
	for h := range 1 << 16 {
		got := halfToFloat32(uint16(h))
		sign, exp, frac := h>>15, h>>10&0x1f, h&0x3ff
		var want float64
		switch exp {
		case 0:
			want = math.Ldexp(float64(frac), -24)
		case 0x1f:
			if frac != 0 {
				if !math.IsNaN(float64(got)) || math.Float32bits(got)&0x7fffff != uint32(frac)<<13 || math.Signbit(float64(got)) != (sign == 1) {
					t.Errorf("half %#04x: got %v (%#08x), want NaN with the same payload and sign", h, got, math.Float32bits(got))
				}
				continue
			}
			want = math.Inf(1)
		default:
			want = math.Ldexp(float64(frac|0x400), exp-25)
		}
		if sign == 1 {
			want = -want
		}
		if math.Float32bits(got) != math.Float32bits(float32(want)) {
			t.Errorf("half %#04x: got %v, want %v", h, got, want)
		}
	}
}

func TestParseDescr(t *testing.T) {
	tests := []struct {
		descr string
		kind  byte
		size  int
		order binary.ByteOrder
	}{
		{"<f4", 'f', 4, binary.LittleEndian},
		{">f8", 'f', 8, binary.BigEndian},
		{"=i2", 'i', 2, binary.NativeEndian},
		{"u4", 'u', 4, binary.NativeEndian},
		{"|u1", 'u', 1, binary.NativeEndian},
		{"|b1", 'b', 1, binary.NativeEndian},
		{"<f2", 'f', 2, binary.LittleEndian},
	}
	for _, tt := range tests {
		got, err := parseDescr(tt.descr)
		if err != nil || got.kind != tt.kind || got.size != tt.size || got.order != tt.order {
			t.Errorf("parseDescr(%q) = %+v, %v", tt.descr, got, err)
		}
	}
	for _, bad := range []string{"", "<", "f", "<f", "<f3", "<f16", "<f04", "<i16", "|b2", "<c8", "|S5", "<U3", "|V8", "<M8[ns]", "|O", "O8", "?", "float32"} {
		if _, err := parseDescr(bad); err == nil {
			t.Errorf("parseDescr(%q) succeeded", bad)
		}
	}
}
