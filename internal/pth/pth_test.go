package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The .pth files in testdata were written by torch 1.13's torch.save in both
// formats; gen.py makes them and golden.json, which holds what torch.load
// reads from each.

type golden struct {
	Dtype  string
	Shape  []int
	Values []json.RawMessage // float32 values as repr() strings, integers as numbers
}

func readGolden(t *testing.T) map[string]map[string]golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]map[string]golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGolden(t *testing.T) {
	g := readGolden(t)
	if len(g) != 8 {
		t.Errorf("golden.json has %d files, want 8", len(g))
	}
	for name, want := range g {
		t.Run(name, func(t *testing.T) {
			m, err := ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != len(want) {
				t.Errorf("%d tensors, want %d", len(m), len(want))
			}
			for key, w := range want {
				x := m[key]
				if x == nil {
					t.Errorf("tensor %q missing", key)
					continue
				}
				if x.Dtype != w.Dtype || !slices.Equal(x.Shape, w.Shape) {
					t.Errorf("%s: %s %v, want %s %v", key, x.Dtype, x.Shape, w.Dtype, w.Shape)
				}
				checkValues(t, key, x, w.Values)
			}
		})
	}
}

// checkValues compares a tensor's elements with torch's, bit for bit.
func checkValues(t *testing.T, key string, x *Tensor, want []json.RawMessage) {
	t.Helper()
	fs, ferr := x.Float32()
	is, ierr := x.Int64()
	if (ferr == nil) == (ierr == nil) {
		t.Errorf("%s: Float32 error %v, Int64 error %v: want exactly one", key, ferr, ierr)
		return
	}
	if ferr == nil {
		if len(fs) != len(want) {
			t.Errorf("%s: %d values, want %d", key, len(fs), len(want))
			return
		}
		for i, raw := range want {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			w, err := strconv.ParseFloat(s, 64) // the float32 value, exactly
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if math.Float32bits(fs[i]) != math.Float32bits(float32(w)) {
				t.Errorf("%s[%d] = %v, want %s", key, i, fs[i], s)
			}
		}
		return
	}
	if len(is) != len(want) {
		t.Errorf("%s: %d values, want %d", key, len(is), len(want))
		return
	}
	for i, raw := range want {
		w, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if is[i] != w {
			t.Errorf("%s[%d] = %d, want %d", key, i, is[i], w)
		}
	}
}

// TestRead reads from an io.ReaderAt as ReadFile reads the file.
func TestRead(t *testing.T) {
	b := readFile(t, "views_legacy.pth")
	m, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	col, err := m["column"].Float32()
	if err != nil || !slices.Equal(col, []float32{-1.5, 0, 1.5, 3}) {
		t.Errorf("column = %v, %v; want [-1.5 0 1.5 3]", col, err)
	}
	_, err = Read(bytes.NewReader(b[:100]), 100)
	if err == nil || !strings.HasPrefix(err.Error(), "pth: system information, the pickle at offset 21: ") {
		t.Errorf("truncated: %v", err)
	}
	_, err = Read(bytes.NewReader(b), int64(len(b))+1)
	if err == nil || err.Error() != "pth: reading: unexpected EOF" {
		t.Errorf("size beyond the data: %v", err)
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRefused reads files of torch.save whose pickles name globals that
// a state_dict does not need.
func TestRefused(t *testing.T) {
	tests := []struct{ file, err string }{
		{"bad_os_system_zip.pth", "pth: testdata/bad_os_system_zip.pth: bad_os_system_zip/data.pkl: pickle: offset 13: global posix.system not allowed"},
		{"bad_os_system_legacy.pth", "pth: testdata/bad_os_system_legacy.pth: object, the pickle at offset 137: pickle: offset 13: global posix.system not allowed"},
		{"bad_eval_zip.pth", "pth: testdata/bad_eval_zip.pth: bad_eval_zip/data.pkl: pickle: offset 13: global __builtin__.eval not allowed"},
		{"bad_torch_load_legacy.pth", "pth: testdata/bad_torch_load_legacy.pth: object, the pickle at offset 137: pickle: offset 13: global torch.serialization.load not allowed"},
		{"bad_numpy_zip.pth", "pth: testdata/bad_numpy_zip.pth: bad_numpy_zip/data.pkl: pickle: offset 13: global numpy.core.multiarray._reconstruct not allowed"},
	}
	files, _ := filepath.Glob("testdata/bad_*.pth")
	if len(files) != len(tests) {
		t.Errorf("%d bad_*.pth files, %d tests", len(files), len(tests))
	}
	for _, tt := range tests {
		_, err := ReadFile(filepath.Join("testdata", tt.file))
		if err == nil || err.Error() != tt.err {
			t.Errorf("%s: error %v\nwant %s", tt.file, err, tt.err)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.pth")); err == nil || !os.IsNotExist(errorsUnwrap(err)) {
		t.Errorf("a missing file: %v", err)
	}
	text := filepath.Join(dir, "text.pth")
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(text); err == nil || err.Error() != "pth: "+text+": not a file of torch.save: neither a zip archive nor a pickle" {
		t.Errorf("a text file: %v", err)
	}
}

func errorsUnwrap(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// goodFiles are the files Read accepts.
func goodFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pth"))
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), "bad_") })
	if len(files) != 8 {
		t.Fatalf("%d good .pth files, want 8", len(files))
	}
	return files
}

// TestCorrupt cuts every file at every offset, and flips every byte: Read
// must fail on every cut and never panic.
func TestCorrupt(t *testing.T) {
	for _, name := range goodFiles(t) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(b) {
			if _, err := Read(bytes.NewReader(b[:n]), int64(n)); err == nil {
				t.Errorf("%s cut to %d bytes: no error", name, n)
			}
		}
		for i := range b {
			c := slices.Clone(b)
			c[i] ^= 0xff
			readAll(t, c)
		}
	}
}

// readAll reads a file and every tensor in it, checking the lengths.
func readAll(t testing.TB, b []byte) {
	m, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		if !strings.HasPrefix(err.Error(), "pth: ") {
			t.Fatalf("error without the package's prefix: %v", err)
		}
		return
	}
	for _, x := range m {
		n := 1
		for _, d := range x.Shape {
			n *= d
		}
		fs, ferr := x.Float32()
		is, ierr := x.Int64()
		if (ferr == nil && len(fs) != n) || (ierr == nil && len(is) != n) || (ferr == nil) == (ierr == nil) {
			t.Fatalf("tensor %s of shape %v: %d floats (%v), %d ints (%v)", x.key, x.Shape, len(fs), ferr, len(is), ierr)
		}
	}
}

// Pieces of a hand-written pickle of protocol 2.
func str(s string) string {
	return "X" + string(binary.LittleEndian.AppendUint32(nil, uint32(len(s)))) + s
}

func long(v int64) string {
	return "\x8a\x08" + string(binary.LittleEndian.AppendUint64(nil, uint64(v)))
}

func tuple(vs ...int64) string {
	s := "("
	for _, v := range vs {
		s += long(v)
	}
	return s + "t"
}

// tensor is a _rebuild_tensor_v2 call on storage key of numel elements.
func tensor(storageType, key string, numel, offset int64, size, stride string) string {
	pid := "(" + str("storage") + "ctorch\n" + storageType + "\n" + str(key) + str("cpu") + long(numel) + "Nt"
	return "ctorch._utils\n_rebuild_tensor_v2\n(" + pid + "Q" + long(offset) + size + stride + "\x89ccollections\nOrderedDict\n)RtR"
}

// dict is the pickle of a dict of the given keys and values.
func dict(kv ...string) string {
	s := "\x80\x02}("
	for i := 0; i < len(kv); i += 2 {
		s += str(kv[i]) + kv[i+1]
	}
	return s + "u."
}

// legacy lays out a file in the legacy format.
func legacy(obj string, keys []string, storages ...[]byte) []byte {
	b := []byte("\x80\x02" + string(legacyMagic) + "\x80\x02M\xe9\x03.\x80\x02}." + obj + "\x80\x02](")
	for _, k := range keys {
		b = append(b, str(k)...)
	}
	b = append(b, "e."...)
	for _, s := range storages {
		b = append(b, s...)
	}
	return b
}

// floats is a storage of the legacy format.
func floats(vs ...float32) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(vs)))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// zmember is a member of a zip archive.
type zmember struct {
	name   string
	data   []byte
	method uint16
}

func zipFile(t testing.TB, members ...zmember) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		f, err := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostile(t *testing.T) {
	four := floats(1, 2, 3, 4)
	vec := tensor("FloatStorage", "0", 4, 0, tuple(4), tuple(1))
	pkl := dict("w", tensor("FloatStorage", "0", 4, 0, tuple(2, 2), tuple(1, 2)))
	manyViews := []string{"w0", tensor("FloatStorage", "0", 1000, 0, tuple(1000), tuple(1)) + "q\x00"}
	for i := 1; i < 10; i++ {
		manyViews = append(manyViews, "w"+strconv.Itoa(i), "h\x00")
	}
	tests := []struct {
		name string
		in   []byte
		err  string // "" when the file is good
	}{
		{"good legacy", legacy(dict("w", vec), []string{"0"}, four), ""},
		{"good zip", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "a/data/0", data: four[8:]}), ""},
		{"past the storage", legacy(dict("w", tensor("FloatStorage", "0", 4, 1, tuple(4), tuple(1))), []string{"0"}, four),
			`pth: object, the pickle at offset 25: pickle: offset 167: REDUCE: torch._utils._rebuild_tensor_v2: size [4], stride [1] and offset 1 reach past the storage's 4 elements`},
		{"huge stride", legacy(dict("w", tensor("FloatStorage", "0", 4, 0, tuple(2), tuple(1<<62))), []string{"0"}, four),
			"reach past the storage's 4 elements"},
		{"overflowing stride", legacy(dict("w", tensor("FloatStorage", "0", 4, 0, tuple(3, 3), tuple(1<<62, 1<<62))), []string{"0"}, four),
			"reach past the storage's 4 elements"},
		{"expanded", legacy(dict("w", tensor("FloatStorage", "0", 4, 0, tuple(1<<40), tuple(0))), []string{"0"}, four),
			"1099511627776 elements in a storage of 4 (expanded tensors are not supported)"},
		{"size and stride differ", legacy(dict("w", tensor("FloatStorage", "0", 4, 0, tuple(4), tuple(1, 1))), []string{"0"}, four),
			"want tuples of as many ints"},
		{"negative size", legacy(dict("w", tensor("FloatStorage", "0", 4, 0, tuple(-1), tuple(1))), []string{"0"}, four),
			"want non-negative ints"},
		{"empty past the end", legacy(dict("w", tensor("FloatStorage", "0", 4, 5, tuple(0), tuple(1))), []string{"0"}, four),
			"empty tensor at offset 5 of a storage of 4 elements"},
		{"huge numel", legacy(dict("w", tensor("FloatStorage", "0", 1<<60, 0, tuple(1), tuple(1))), []string{"0"}, binary.LittleEndian.AppendUint64(nil, 1<<60)),
			`pth: storage "0": truncated: 1152921504606846976 float32 elements at offset 215, 0 bytes left`},
		{"views of one storage", legacy(dict(manyViews...), []string{"0"}, floats(make([]float32, 1000)...)),
			`pth: tensor "w4": the tensors have more elements than the file's 4299 bytes`},
		{"count differs", legacy(dict("w", vec), []string{"0"}, floats(1, 2, 3)),
			`pth: storage "0": 3 elements at offset 207, want 4`},
		{"storage truncated", legacy(dict("w", vec), []string{"0"}, four[:20]),
			`pth: storage "0": truncated: 4 float32 elements at offset 215, 12 bytes left`},
		{"trailing bytes", legacy(dict("w", vec), []string{"0"}, four, []byte{0}),
			"pth: 1 bytes after the last storage"},
		{"key not listed", legacy(dict("w", vec), nil),
			"pth: storage keys are a list, want a list of the 1 keys the tensors use"},
		{"key unused", legacy(dict("w", vec), []string{"1"}, four),
			`pth: storage keys: str "1" unused or listed twice`},
		{"storage types differ", legacy(dict("w", vec, "v", tensor("IntStorage", "0", 4, 0, tuple(4), tuple(1))), []string{"0"}, four),
			`pth: tensor "v": storage "0" of 4 int32 elements, elsewhere of 4 float32`},
		{"not a dict", legacy("\x80\x02"+vec+".", []string{"0"}, four),
			"pth: the file holds a tensor, want a state_dict (a dict of tensors)"},
		{"not a tensor", legacy(dict("w", "K\x01"), nil),
			`pth: tensor "w": a int, not a tensor`},
		{"view metadata", legacy(dict("w", strings.Replace(vec, "Nt", "(X\x01\x00\x00\x001K\x00K\x02tt", 1)), []string{"0"}, four),
			`BINPERSID: storage views (view_metadata ("1", 0, 2)) are not supported`},
		{"bad version", bytes.Replace(legacy(dict("w", vec), []string{"0"}, four), []byte("M\xe9\x03"), []byte("M\xe8\x03"), 1),
			"pth: protocol version 1000, want 1001"},
		{"bad magic", bytes.Replace(legacy(dict("w", vec), []string{"0"}, four), []byte("\x6c\xfc"), []byte("\x6c\xfd"), 1),
			"pth: not a file of torch.save: a pickle, but not of its magic number"},
		{"compressed member", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "a/data/0", data: four[8:], method: zip.Deflate}),
			"pth: a/data/0: compressed (method 8); torch.save stores members uncompressed"},
		{"missing member", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}),
			`pth: storage "0": no member a/data/0`},
		{"short member", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "a/data/0", data: four[8:20]}),
			`pth: storage "0": a/data/0 has 12 bytes, want 4 float32 elements`},
		{"numel overflowing", zipFile(t, zmember{name: "a/data.pkl", data: []byte(dict("w", tensor("DoubleStorage", "0", 1<<61, 0, tuple(1), tuple(1))))}, zmember{name: "a/data/0"}),
			`pth: storage "0": a/data/0 has 0 bytes, want 2305843009213693952 float64 elements`},
		{"no data.pkl", zipFile(t, zmember{name: "data.pkl", data: []byte(pkl)}),
			"pth: zip archive without ARCHIVE/data.pkl"},
		{"two data.pkl", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "b/data.pkl", data: []byte(pkl)}),
			"pth: zip archive with two data.pkl members, b/data.pkl and a/data.pkl"},
		{"two members", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "a/data/0", data: four[8:]}, zmember{name: "a/data/0", data: four[8:]}),
			"pth: zip archive with two members a/data/0"},
		{"bad byteorder", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl)}, zmember{name: "a/byteorder", data: []byte("middle")}, zmember{name: "a/data/0", data: four[8:]}),
			`pth: a/byteorder is "middle", want "little" or "big"`},
		{"after the pickle", zipFile(t, zmember{name: "a/data.pkl", data: []byte(pkl + "N")}, zmember{name: "a/data/0", data: four[8:]}),
			"pth: a/data.pkl: 1 bytes after the pickle"},
		{"a global", zipFile(t, zmember{name: "a/data.pkl", data: []byte(dict("w", "cos\nsystem\n(X\x02\x00\x00\x00lstR"))}),
			"pth: a/data.pkl: pickle: offset 10: global os.system not allowed"},
	}
	for _, tt := range tests {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Read(bytes.NewReader(tt.in), int64(len(tt.in)))
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("%s: Read allocated %d bytes for %d", tt.name, n, len(tt.in))
		}
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			w, err := m["w"].Float32()
			if err != nil || !slices.Equal(w, []float32{1, 2, 3, 4}) && !slices.Equal(w, []float32{1, 3, 2, 4}) {
				t.Errorf("%s: w = %v, %v", tt.name, w, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v\nwant %s", tt.name, err, tt.err)
		}
	}
}

// TestBigEndian reads a zip file whose byteorder record says "big", as
// torch.save writes on a big-endian machine.
func TestBigEndian(t *testing.T) {
	zr, err := zip.OpenReader(filepath.Join("testdata", "views_zip.pth"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	src, err := ReadFile(filepath.Join("testdata", "views_zip.pth"))
	if err != nil {
		t.Fatal(err)
	}
	var members []zmember
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(r); err != nil {
			t.Fatal(err)
		}
		members = append(members, zmember{name: f.Name, data: b.Bytes()})
	}
	// Byte-swap each storage by the element size of a tensor using it.
	for _, x := range src {
		size := elemSize[x.Dtype]
		for i, m := range members {
			if m.name == "views_zip/data/"+x.storage && m.data != nil {
				for j := 0; j < len(m.data); j += size {
					slices.Reverse(m.data[j : j+size])
				}
				members[i].data, members[i].name = m.data, "views_zip/swapped/"+x.storage
			}
		}
	}
	for i := range members {
		members[i].name = strings.Replace(members[i].name, "/swapped/", "/data/", 1)
	}
	members = append(members, zmember{name: "views_zip/byteorder", data: []byte("big")})
	b := zipFile(t, members...)
	m, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range readGolden(t)["views_zip.pth"] {
		checkValues(t, key, m[key], want.Values)
	}
}

func TestHalf(t *testing.T) {
	for _, tt := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 0x1p-24},
		{0x8001, -0x1p-24}, {0x03ff, 1023 * 0x1p-24}, {0x0400, 0x1p-14}, {0x3555, 0x1.554p-2},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	} {
		if got := halfToFloat32(tt.h); got != tt.want {
			t.Errorf("halfToFloat32(%#04x) = %v, want %v", tt.h, got, tt.want)
		}
	}
	if got := halfToFloat32(0x8000); math.Float32bits(got) != 0x80000000 {
		t.Errorf("halfToFloat32(0x8000) = %v, want -0", got)
	}
	if got := halfToFloat32(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("halfToFloat32(0x7e00) = %v, want NaN", got)
	}
}
