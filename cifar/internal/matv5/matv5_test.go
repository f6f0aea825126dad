package matv5

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// goldenVar is an entry of testdata/golden.json, written by testdata/gen.py.
type goldenVar struct {
	Name    string `json:"name"`
	Class   string `json:"cls"`
	Dims    []int  `json:"dims"`
	Complex bool   `json:"complex"`
	Logical bool   `json:"logical"`
	F64     string `json:"float64_sha256"`
	U8      string `json:"uint8_sha256"`
}

func loadGolden(t testing.TB) map[string][]goldenVar {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g map[string][]goldenVar
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g) != 6 {
		t.Fatalf("golden.json lists %d files, want 6", len(g))
	}
	return g
}

func float64Hash(x []float64) string {
	b := make([]byte, 8*len(x))
	for i, f := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(f))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func bytesHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// hideSize hides the Len method of a reader, so that the Reader cannot check
// sizes against the input.
type hideSize struct{ io.Reader }

// TestGolden reads every fixture in three ways: Float64 for every numeric
// variable from the file; Uint8 for the uint8 ones (skipping all others)
// from a reader of unknown size; and Uint8Reader, 3072 bytes at a time.
func TestGolden(t *testing.T) {
	for file, want := range loadGolden(t) {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(file+"/Float64", func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			wantOrder := binary.ByteOrder(binary.LittleEndian)
			if strings.HasSuffix(file, "-be.mat") {
				wantOrder = binary.BigEndian
			}
			if r.ByteOrder != wantOrder || !strings.HasPrefix(r.Text, "MATLAB 5.0 MAT-file") {
				t.Errorf("header: %v %q", r.ByteOrder, r.Text)
			}
			eachVar(t, r, want, func(v *Var, g goldenVar) {
				x, err := v.Float64()
				numeric := g.F64 != ""
				if !numeric {
					if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `"`+g.Name+`"`) {
						t.Errorf("%s: Float64 error %v, want ErrUnsupported naming the variable", g.Name, err)
					}
					return
				}
				if err != nil {
					t.Errorf("%s: %v", g.Name, err)
					return
				}
				if len(x) != v.Len() || float64Hash(x) != g.F64 {
					t.Errorf("%s: %d values, sha256 %s, want %d and %s", g.Name, len(x), float64Hash(x), v.Len(), g.F64)
				}
				if _, err := v.Float64(); err == nil {
					t.Errorf("%s: second Float64: no error", g.Name)
				}
			})
		})
		t.Run(file+"/Uint8", func(t *testing.T) {
			r, err := NewReader(hideSize{bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
			eachVar(t, r, want, func(v *Var, g goldenVar) {
				if g.U8 == "" {
					if g.F64 != "" {
						if _, err := v.Uint8(); !errors.Is(err, ErrUnsupported) {
							t.Errorf("%s: Uint8 of class %s: error %v, want ErrUnsupported", g.Name, v.Class, err)
						}
					}
					return
				}
				b, err := v.Uint8()
				if err != nil {
					t.Errorf("%s: %v", g.Name, err)
					return
				}
				if bytesHash(b) != g.U8 {
					t.Errorf("%s: sha256 %s, want %s", g.Name, bytesHash(b), g.U8)
				}
			})
		})
		t.Run(file+"/Uint8Reader", func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			eachVar(t, r, want, func(v *Var, g goldenVar) {
				if g.U8 == "" {
					return
				}
				rd, err := v.Uint8Reader()
				if err != nil {
					t.Fatalf("%s: %v", g.Name, err)
				}
				h := sha256.New()
				img := make([]byte, 3072)
				for {
					n, err := io.ReadFull(rd, img)
					h.Write(img[:n])
					if err == io.EOF || err == io.ErrUnexpectedEOF {
						break
					}
					if err != nil {
						t.Fatalf("%s: %v", g.Name, err)
					}
				}
				if got := hex.EncodeToString(h.Sum(nil)); got != g.U8 {
					t.Errorf("%s: sha256 %s, want %s", g.Name, got, g.U8)
				}
			})
		})
	}
}

// eachVar reads all variables of r, checks them against want and calls f.
func eachVar(t *testing.T, r *Reader, want []goldenVar, f func(*Var, goldenVar)) {
	t.Helper()
	for i := 0; ; i++ {
		v, err := r.Next()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("%d variables, want %d", i, len(want))
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after the end: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("variable %d: %v", i, err)
		}
		if i >= len(want) {
			t.Fatalf("extra variable %q", v.Name)
		}
		g := want[i]
		if v.Name != g.Name || v.Class.String() != g.Class || !slices.Equal(v.Dims, g.Dims) ||
			v.Complex != g.Complex || v.Logical != g.Logical {
			t.Errorf("variable %d: %q %s %v complex %v logical %v, want %q %s %v %v %v",
				i, v.Name, v.Class, v.Dims, v.Complex, v.Logical, g.Name, g.Class, g.Dims, g.Complex, g.Logical)
		}
		f(v, g)
	}
}

// TestSVHNLayout checks the column-major layout of X in svhn-z.mat against
// the same values with their 4-D indices, as testdata/gen.py draws them:
// image i is the 3072 bytes from 3072*i.
func TestSVHNLayout(t *testing.T) {
	f, err := os.Open("testdata/svhn-z.mat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	X, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	x, err := X.Uint8()
	if err != nil {
		t.Fatal(err)
	}
	y, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	labels, err := y.Float64()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(labels, []float64{1, 10, 3, 7, 10}) {
		t.Errorf("y = %v", labels)
	}
	if len(x) != 32*32*3*5 {
		t.Fatalf("len(X) = %d", len(x))
	}
	// X[row, col, ch, i] as scipy.io.loadmat reads them (testdata/README.md).
	at := func(row, col, ch, i int) byte { return x[row+32*col+1024*ch+3072*i] }
	got := []byte{at(0, 0, 0, 0), at(1, 0, 0, 0), at(0, 1, 0, 0), at(0, 0, 1, 0), at(0, 0, 0, 1), at(31, 31, 2, 4)}
	want := []byte{23, 27, 165, 187, 10, 170}
	if !bytes.Equal(got, want) {
		t.Errorf("X[0,0,0,0], X[1,0,0,0], X[0,1,0,0], X[0,0,1,0], X[0,0,0,1], X[31,31,2,4] = %v, want %v", got, want)
	}
}

// order is binary.LittleEndian or binary.BigEndian.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// matBuilder writes MAT-file bytes for the tests of malformed files.
type matBuilder struct {
	o   order
	buf bytes.Buffer
}

func newBuilder(o order) *matBuilder {
	b := &matBuilder{o: o}
	b.buf.WriteString(strings.Repeat(" ", 116))
	b.buf.Write(make([]byte, 8))
	b.buf.Write(o.AppendUint16(nil, 0x0100))
	b.buf.Write(o.AppendUint16(nil, 0x4D49))
	return b
}

func (b *matBuilder) tag(typ, n uint32) []byte {
	return b.o.AppendUint32(b.o.AppendUint32(nil, typ), n)
}

// elem returns a (not small) data element.
func (b *matBuilder) elem(typ uint32, data []byte) []byte {
	e := append(b.tag(typ, uint32(len(data))), data...)
	return append(e, make([]byte, -len(data)&7)...)
}

// array returns the contents of an miMATRIX element: flags, dims, name, and
// the real part as stored type typ with raw data.
func (b *matBuilder) array(name string, class Class, flags byte, dims []int32, typ uint32, data []byte) []byte {
	var body []byte
	body = append(body, b.elem(miUINT32, b.o.AppendUint32(b.o.AppendUint32(nil, uint32(class)|uint32(flags)<<8), 0))...)
	var d []byte
	for _, x := range dims {
		d = b.o.AppendUint32(d, uint32(x))
	}
	body = append(body, b.elem(miINT32, d)...)
	body = append(body, b.elem(miINT8, []byte(name))...)
	return append(body, b.elem(typ, data)...)
}

func (b *matBuilder) matrix(contents []byte) *matBuilder {
	b.buf.Write(b.tag(miMATRIX, uint32(len(contents))))
	b.buf.Write(contents)
	return b
}

func (b *matBuilder) compressed(contents []byte) *matBuilder {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b.tag(miMATRIX, uint32(len(contents))))
	w.Write(contents)
	w.Close()
	b.buf.Write(b.tag(miCOMPRESSED, uint32(z.Len())))
	b.buf.Write(z.Bytes())
	return b
}

func (b *matBuilder) raw(p []byte) *matBuilder { b.buf.Write(p); return b }

func (b *matBuilder) bytes() []byte { return b.buf.Bytes() }

// readAll reads every variable, with Uint8 for uint8 arrays and Float64 for
// the others, and returns the first error.
func readAll(in io.Reader) error {
	r, err := NewReader(in)
	if err != nil {
		return err
	}
	for {
		v, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if v.Class == ClassUint8 {
			_, err = v.Uint8()
		} else {
			_, err = v.Float64()
		}
		if err != nil {
			return err
		}
	}
}

func TestBuilderRoundTrip(t *testing.T) {
	// The builder itself must produce readable files, or the error tests
	// below would test nothing.
	le := binary.LittleEndian
	for _, o := range []order{binary.LittleEndian, binary.BigEndian} {
		b := newBuilder(o)
		b.matrix(b.array("a", ClassDouble, 0, []int32{2, 1}, miINT16, o.AppendUint16(o.AppendUint16(nil, 0xFFFE), 3)))
		b.compressed(b.array("img", ClassUint8, 0, []int32{1, 5}, miUINT8, []byte{1, 2, 3, 4, 250}))
		b.matrix(nil) // an empty miMATRIX, which holds no variable
		b.compressed(b.array("w", ClassUint8, 0, []int32{3, 1}, miUINT16, o.AppendUint16(o.AppendUint16(o.AppendUint16(nil, 0), 255), 7)))
		// An miMATRIX element whose byte count leaves out the padding of its
		// real part: the padding follows as the padding of the element.
		c := b.array("odd", ClassUint8, 0, []int32{1, 3}, miUINT8, []byte{9, 8, 7})
		b.raw(b.tag(miMATRIX, uint32(len(c)-5))).raw(c)
		b.matrix(b.array("last", ClassUint8, 0, []int32{1, 1}, miUINT8, []byte{42}))
		r, err := NewReader(bytes.NewReader(b.bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			v, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Class == ClassUint8 {
				x, err := v.Uint8()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v.Name+":"+hex.EncodeToString(x))
			} else {
				x, err := v.Float64()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v.Name+":"+hex.EncodeToString(le.AppendUint64(le.AppendUint64(nil, math.Float64bits(x[0])), math.Float64bits(x[1]))))
			}
		}
		want := []string{
			"a:" + hex.EncodeToString(le.AppendUint64(le.AppendUint64(nil, math.Float64bits(-2)), math.Float64bits(3))),
			"img:01020304fa",
			"w:00ff07",
			"odd:090807",
			"last:2a",
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v: got %q, want %q", o, got, want)
		}
	}
}

// TestUint8Storage reads uint8 arrays stored in each wider integer type.
func TestUint8Storage(t *testing.T) {
	o := binary.LittleEndian
	enc := func(typ uint32, vals ...int64) []byte {
		var b []byte
		for _, x := range vals {
			switch typeSize(typ) {
			case 1:
				b = append(b, byte(x))
			case 2:
				b = o.AppendUint16(b, uint16(x))
			case 4:
				b = o.AppendUint32(b, uint32(x))
			case 8:
				b = o.AppendUint64(b, uint64(x))
			}
		}
		return b
	}
	for _, tt := range []struct {
		typ  uint32
		bad  int64 // a value that does not fit
		text string
	}{
		{miINT8, -1, "value -1"},
		{miINT16, 256, "value 256"},
		{miUINT16, 65535, "value 65535"},
		{miINT32, -129, "value -129"},
		{miUINT32, 1 << 31, "value 2147483648"},
		{miINT64, math.MinInt64, "value -9223372036854775808"},
		{miUINT64, -1, "value 18446744073709551615"},
	} {
		good := []int64{0, 1, 127}
		if tt.typ != miINT8 {
			good = append(good, 255)
		}
		b := newBuilder(o)
		data := b.compressed(b.array("g", ClassUint8, 0, []int32{1, int32(len(good))}, tt.typ, enc(tt.typ, good...))).
			matrix(b.array("b", ClassUint8, 0, []int32{2, 1}, tt.typ, enc(tt.typ, 3, tt.bad))).bytes()
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		x, err := v.Uint8()
		if err != nil || !slices.Equal(x, []byte{0, 1, 127, 255}[:len(good)]) {
			t.Errorf("type %d: Uint8 = %v, %v", tt.typ, x, err)
		}
		if v, err = r.Next(); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Uint8(); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.text+" of element 1") {
			t.Errorf("type %d: error %v, want ErrFormat containing %q", tt.typ, err, tt.text)
		}
	}
}

func TestErrors(t *testing.T) {
	o := binary.LittleEndian
	lsb := func() *matBuilder { return newBuilder(o) }
	svhn, err := os.ReadFile("testdata/svhn-z.mat")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile("testdata/svhn.mat")
	if err != nil {
		t.Fatal(err)
	}
	u8 := func(dims []int32, data []byte) []byte {
		b := lsb()
		return b.array("X", ClassUint8, 0, dims, miUINT8, data)
	}
	tests := []struct {
		name   string
		data   []byte
		hide   bool // hide the input's size
		target error
		text   string
	}{
		{"empty", nil, false, ErrHeader, "EOF"},
		{"short header", svhn[:100], false, ErrHeader, "unexpected EOF"},
		{"endian indicator", slices.Concat(svhn[:126], []byte("XY")), false, ErrHeader, `"XY"`},
		{"version", slices.Concat(svhn[:124], []byte{0, 2}, svhn[126:]), false, ErrUnsupported, "7.3"},
		{"version 3", slices.Concat(svhn[:124], []byte{3, 0}, svhn[126:]), false, ErrHeader, "0x0003"},
		{"truncated compressed", svhn[:len(svhn)-10], false, ErrFormat, "left in the file"},
		{"truncated compressed, size unknown", svhn[:len(svhn)-10], true, io.ErrUnexpectedEOF, `"y"`},
		{"truncated plain, size unknown", plain[:5000], true, io.ErrUnexpectedEOF, `"X"`},
		{"truncated tag", plain[:131], false, ErrFormat, "offset 128"},
		{"corrupt zlib data", slices.Concat(svhn[:1000], []byte{svhn[1000] ^ 0x55}, svhn[1001:]), false, nil, `"X"`},
		{"zlib checksum", func() []byte {
			b := slices.Clone(svhn)
			// The last 4 bytes of y's compressed element are its Adler-32.
			b[len(b)-1] ^= 1
			return b
		}(), false, zlib.ErrChecksum, `"y"`},
		{"not zlib", lsb().raw(lsb().tag(miCOMPRESSED, 8)).raw([]byte("notzlib!")).bytes(), false, ErrFormat, "zlib"},
		{"top-level type", lsb().raw(lsb().elem(miDOUBLE, make([]byte, 8))).bytes(), false, ErrFormat, "type 9"},
		{"top-level small element", lsb().raw([]byte{2, 0, 1, 0, 7, 0, 0, 0}).bytes(), false, ErrFormat, "small data element"},
		{"compressed non-matrix", lsb().raw(func() []byte {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(lsb().elem(miDOUBLE, make([]byte, 8)))
			w.Close()
			return append(lsb().tag(miCOMPRESSED, uint32(z.Len())), z.Bytes()...)
		}()).bytes(), false, ErrFormat, "want miMATRIX"},
		{"real part too short", lsb().matrix(u8([]int32{2, 3}, []byte{1, 2, 3})).bytes(), false, ErrFormat, "real part of 3 bytes"},
		{"huge dimensions", lsb().matrix(u8([]int32{1 << 30, 1 << 30}, []byte{1})).bytes(), false, ErrFormat, "too many elements"},
		{"negative dimension", lsb().matrix(u8([]int32{-1, 3}, []byte{1})).bytes(), false, ErrFormat, "dimension 0 is -1"},
		{"one dimension", lsb().matrix(func() []byte {
			b := lsb()
			c := b.elem(miUINT32, o.AppendUint32(o.AppendUint32(nil, uint32(ClassUint8)), 0))
			return slices.Concat(c, b.elem(miINT32, o.AppendUint32(nil, 3)), b.elem(miINT8, []byte("X")), b.elem(miUINT8, []byte{1, 2, 3}))
		}()).bytes(), false, ErrFormat, "dimensions of type 5 and 4 bytes"},
		{"flags type", lsb().matrix(func() []byte {
			b := lsb()
			return b.elem(miDOUBLE, make([]byte, 8))
		}()).bytes(), false, ErrFormat, "array flags of type 9"},
		{"name too long", lsb().matrix(func() []byte {
			b := lsb()
			c := b.elem(miUINT32, o.AppendUint32(o.AppendUint32(nil, uint32(ClassUint8)), 0))
			c = append(c, b.elem(miINT32, o.AppendUint32(o.AppendUint32(nil, 1), 1))...)
			return append(c, b.tag(miINT8, 1<<20)...)
		}()).bytes(), false, ErrFormat, "1048576 bytes"},
		{"sub-element overruns array", lsb().matrix(func() []byte {
			b := lsb()
			c := b.elem(miUINT32, o.AppendUint32(o.AppendUint32(nil, uint32(ClassUint8)), 0))
			return append(c, b.tag(miINT32, 4000)...)
		}()).bytes(), false, ErrFormat, "4000 bytes in the 0 bytes left"},
		{"small element of 5 bytes", lsb().matrix(func() []byte {
			b := lsb()
			c := b.elem(miUINT32, o.AppendUint32(o.AppendUint32(nil, uint32(ClassUint8)), 0))
			return append(c, 5, 0, 5, 0, 1, 1, 1, 1)
		}()).bytes(), false, ErrFormat, "small data element of 5 bytes"},
		{"real part type", lsb().matrix(lsb().array("v", ClassDouble, 0, []int32{1, 1}, miUTF8, []byte("abcdefgh"))).bytes(), false, ErrFormat, "data type 16"},
		{"uint8 out of range", lsb().matrix(lsb().array("v", ClassUint8, 0, []int32{1, 2}, miINT16, o.AppendUint16(o.AppendUint16(nil, 5), 256))).bytes(), false, ErrFormat, "value 256 of element 1"},
		{"uint8 negative", lsb().compressed(lsb().array("v", ClassUint8, 0, []int32{1, 1}, miINT32, o.AppendUint32(nil, math.MaxUint32))).bytes(), false, ErrFormat, "value -1 of element 0"},
		{"uint8 as double", lsb().matrix(lsb().array("v", ClassUint8, 0, []int32{1, 1}, miDOUBLE, make([]byte, 8))).bytes(), false, ErrFormat, "stored as data type 9"},
		{"complex", lsb().matrix(lsb().array("z", ClassDouble, flagComplex, []int32{1, 1}, miDOUBLE, make([]byte, 8))).bytes(), false, ErrUnsupported, `"z": unsupported: complex double`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in io.Reader = bytes.NewReader(tt.data)
			if tt.hide {
				in = hideSize{in}
			}
			err := readAll(in)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.target != nil && !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q, want %v containing %q", err, tt.target, tt.text)
			}
		})
	}
}

// TestHostileSizes checks that sizes claimed by a small file do not make the
// reader allocate much more than the file holds.
func TestHostileSizes(t *testing.T) {
	o := binary.LittleEndian
	b := newBuilder(o)
	// A uint8 array claiming 4,000,000,000 bytes, in an element claiming
	// just over that, of which 16 bytes are present.
	contents := b.array("X", ClassUint8, 0, []int32{40000, 100000}, miUINT8, nil)
	contents = slices.Concat(contents[:len(contents)-8], b.tag(miUINT8, 4_000_000_000), make([]byte, 16))
	plain := slices.Concat(newBuilder(o).bytes(), b.tag(miMATRIX, uint32(len(contents)-16+4_000_000_000)), contents)

	// The same claim inside a compressed element.
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b.tag(miMATRIX, uint32(len(contents)-16+4_000_000_000)))
	w.Write(contents)
	w.Close()
	comp := slices.Concat(newBuilder(o).bytes(), b.tag(miCOMPRESSED, uint32(z.Len())), z.Bytes())

	for _, tt := range []struct {
		name string
		in   func() io.Reader
	}{
		{"plain, size known", func() io.Reader { return bytes.NewReader(plain) }},
		{"plain, size unknown", func() io.Reader { return hideSize{bytes.NewReader(plain)} }},
		{"compressed, size known", func() io.Reader { return bytes.NewReader(comp) }},
		{"compressed, size unknown", func() io.Reader { return hideSize{bytes.NewReader(comp)} }},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := readAll(tt.in())
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want ErrFormat", tt.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("%s: allocated %d bytes", tt.name, n)
		}
	}
}

// TestSkip checks that unread variables are skipped, also half-read ones,
// and that a compressed variable is skipped without decompressing it.
func TestSkip(t *testing.T) {
	data, err := os.ReadFile("testdata/svhn-z.mat")
	if err != nil {
		t.Fatal(err)
	}
	// Damage X's compressed data far from its start: skipping X must not
	// notice, reading it must.
	data[len(data)/2] ^= 0xFF
	for _, read := range []int{0, 100} {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		X, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if read > 0 {
			rd, err := X.Uint8Reader()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(rd, make([]byte, read)); err != nil {
				t.Fatal(err)
			}
		}
		y, err := r.Next()
		if err != nil {
			t.Fatalf("after reading %d bytes of X: %v", read, err)
		}
		labels, err := y.Float64()
		if err != nil || !slices.Equal(labels, []float64{1, 10, 3, 7, 10}) {
			t.Errorf("y = %v, %v", labels, err)
		}
		if _, err := X.Uint8(); err == nil || !strings.Contains(err.Error(), "after the next call to Next") {
			t.Errorf("X.Uint8 after Next: error %v", err)
		}
	}
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	X, _ := r.Next()
	if _, err := X.Uint8(); err == nil {
		t.Error("reading the damaged X: no error")
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{ClassDouble: "double", ClassUint8: "uint8", ClassCell: "cell", 0: "class(0)", 16: "class(16)"} {
		if c.String() != want {
			t.Errorf("Class(%d).String() = %q, want %q", c, c.String(), want)
		}
	}
}

func BenchmarkUint8(b *testing.B) {
	// An SVHN-shaped X of 2000 images (6 MB), compressed like the real file.
	const n = 2000
	x := make([]byte, 32*32*3*n)
	s := uint32(1)
	for i := range x {
		s = s*1664525 + 1013904223
		x[i] = byte(s>>24) & 0xF0 // some redundancy, as in photographs
	}
	bd := newBuilder(binary.LittleEndian)
	data := bd.compressed(bd.array("X", ClassUint8, 0, []int32{32, 32, 3, n}, miUINT8, x)).bytes()
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		v, err := r.Next()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Uint8(); err != nil {
			b.Fatal(err)
		}
	}
}
