package cifar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/internal/pickle"
)

// testdata/make.py writes the archives, folders and golden.json with Python
// 3.11 and numpy 1.24.2; golden.json holds what the original
// dataset_tool.py loads from them.

type golden struct {
	Images []string // sha256 of each image's CHW bytes
	Labels []int
}

func readGolden(t testing.TB) map[string]golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// span returns the integers lo, lo+1, …, hi-1.
func span(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// checkImages checks that d holds the golden images with the given indices.
func checkImages(t *testing.T, d *Dataset, g golden, idx []int) {
	t.Helper()
	if d.Len() != len(idx) || len(d.Labels) != len(idx) || len(d.Pix) != len(idx)*ImageBytes {
		t.Fatalf("%d images, %d labels, %d bytes; want %d images", d.Len(), len(d.Labels), len(d.Pix), len(idx))
	}
	for i, j := range idx {
		m := d.Image(i)
		sum := sha256.Sum256(m.Pix)
		if hex.EncodeToString(sum[:]) != g.Images[j] || m.Channels != 3 || m.Size != 32 {
			t.Errorf("image %d differs from the golden image %d", i, j)
		}
		if d.Labels[i] != g.Labels[j] {
			t.Errorf("label %d is %d, want %d", i, d.Labels[i], g.Labels[j])
		}
	}
}

// unpack extracts a .tar.gz into dir, as tar xzf does.
func unpack(t testing.TB, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, b)
	}
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// members returns the regular members of a fixture archive, in order.
func members(t testing.TB, archive string) (names []string, data map[string][]byte) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	data = map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names, data
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, h.Name)
			data[h.Name] = b
		}
	}
}

// tarGz writes a .tar.gz of the given members (name, data pairs) to p.
func tarGz(t testing.TB, p string, compress bool, files ...[2]string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if compress {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		b = z.Bytes()
	}
	writeFile(t, p, b)
}

func TestRead(t *testing.T) {
	g := readGolden(t)
	tmp := t.TempDir()
	for _, a := range []string{"cifar-10-python", "cifar-10-binary", "cifar-100-python", "cifar-100-binary"} {
		unpack(t, "testdata/"+a+".tar.gz", filepath.Join(tmp, a))
	}
	downloads := filepath.Join(tmp, "downloads")
	b, _ := os.ReadFile("testdata/cifar-10-binary.tar.gz")
	writeFile(t, filepath.Join(downloads, "cifar-10-binary.tar.gz"), b)
	b, _ = os.ReadFile("testdata/cifar-100-python.tar.gz")
	writeFile(t, filepath.Join(downloads, "cifar-100-python.tar.gz"), b)
	// An uncompressed tar works too.
	zr, _ := gzip.NewReader(bytes.NewReader(b))
	plain, _ := io.ReadAll(zr)
	writeFile(t, filepath.Join(tmp, "cifar-100-python.tar"), plain)

	read10 := func(p string) (*Dataset, error) { return ReadCIFAR10(p) }
	read100 := func(p string) (*Dataset, error) { return ReadCIFAR100(p) }
	batches := func(prefix string, names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, prefix+n)
		}
		return out
	}
	py10 := func(prefix string) []string {
		return batches(prefix, "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")
	}
	bin10 := func(prefix string) []string {
		return batches(prefix, "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin")
	}
	tests := []struct {
		name, path string
		read       func(string) (*Dataset, error)
		golden     string
		images     []int
		sources    []string
		batches    []string
	}{
		{"cifar-10-python.tar.gz", "testdata/cifar-10-python.tar.gz", read10, "cifar10", span(0, 20),
			[]string{"testdata/cifar-10-python.tar.gz"}, py10("testdata/cifar-10-python.tar.gz:cifar-10-batches-py/")},
		{"cifar-10-binary.tar.gz", "testdata/cifar-10-binary.tar.gz", read10, "cifar10", span(0, 20),
			[]string{"testdata/cifar-10-binary.tar.gz"}, bin10("testdata/cifar-10-binary.tar.gz:cifar-10-batches-bin/")},
		{"unpacked python", filepath.Join(tmp, "cifar-10-python/cifar-10-batches-py"), read10, "cifar10", span(0, 20),
			py10(filepath.Join(tmp, "cifar-10-python/cifar-10-batches-py") + "/"), py10(filepath.Join(tmp, "cifar-10-python/cifar-10-batches-py") + "/")},
		{"parent of unpacked python", filepath.Join(tmp, "cifar-10-python"), read10, "cifar10", span(0, 20),
			py10(filepath.Join(tmp, "cifar-10-python/cifar-10-batches-py") + "/"), py10(filepath.Join(tmp, "cifar-10-python/cifar-10-batches-py") + "/")},
		{"unpacked binary", filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin"), read10, "cifar10", span(0, 20),
			bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/"), bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/")},
		{"parent of unpacked binary", filepath.Join(tmp, "cifar-10-binary"), read10, "cifar10", span(0, 20),
			bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/"), bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/")},
		{"python 3 pickles", "testdata/py3/cifar-10-batches-py", read10, "cifar10", span(0, 20),
			py10("testdata/py3/cifar-10-batches-py/"), py10("testdata/py3/cifar-10-batches-py/")},
		{"parent of python 3 pickles", "testdata/py3", read10, "cifar10", span(0, 20),
			py10("testdata/py3/cifar-10-batches-py/"), py10("testdata/py3/cifar-10-batches-py/")},
		{"one batch", "testdata/py3/cifar-10-batches-py/data_batch_4", read10, "cifar10", span(12, 16),
			[]string{"testdata/py3/cifar-10-batches-py/data_batch_4"}, []string{"testdata/py3/cifar-10-batches-py/data_batch_4"}},
		{"one binary batch", filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin/data_batch_2.bin"), read10, "cifar10", span(4, 8),
			bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/")[1:2], bin10(filepath.Join(tmp, "cifar-10-binary/cifar-10-batches-bin") + "/")[1:2]},
		{"folder with the archive", downloads, read10, "cifar10", span(0, 20),
			[]string{filepath.Join(downloads, "cifar-10-binary.tar.gz")}, bin10(filepath.Join(downloads, "cifar-10-binary.tar.gz") + ":cifar-10-batches-bin/")},

		{"cifar-100-python.tar.gz", "testdata/cifar-100-python.tar.gz", read100, "cifar100", span(0, 6),
			[]string{"testdata/cifar-100-python.tar.gz"}, []string{"testdata/cifar-100-python.tar.gz:cifar-100-python/train"}},
		{"cifar-100-binary.tar.gz", "testdata/cifar-100-binary.tar.gz", read100, "cifar100", span(0, 6),
			[]string{"testdata/cifar-100-binary.tar.gz"}, []string{"testdata/cifar-100-binary.tar.gz:cifar-100-binary/train.bin"}},
		{"cifar-100 tar", filepath.Join(tmp, "cifar-100-python.tar"), read100, "cifar100", span(0, 6),
			[]string{filepath.Join(tmp, "cifar-100-python.tar")}, []string{filepath.Join(tmp, "cifar-100-python.tar") + ":cifar-100-python/train"}},
		{"unpacked cifar-100 python", filepath.Join(tmp, "cifar-100-python"), read100, "cifar100", span(0, 6),
			batches(filepath.Join(tmp, "cifar-100-python/cifar-100-python")+"/", "train"), batches(filepath.Join(tmp, "cifar-100-python/cifar-100-python")+"/", "train")},
		{"unpacked cifar-100 binary", filepath.Join(tmp, "cifar-100-binary/cifar-100-binary"), read100, "cifar100", span(0, 6),
			batches(filepath.Join(tmp, "cifar-100-binary/cifar-100-binary")+"/", "train.bin"), batches(filepath.Join(tmp, "cifar-100-binary/cifar-100-binary")+"/", "train.bin")},
		{"cifar-100 train file", filepath.Join(tmp, "cifar-100-python/cifar-100-python/train"), read100, "cifar100", span(0, 6),
			batches(filepath.Join(tmp, "cifar-100-python/cifar-100-python")+"/", "train"), batches(filepath.Join(tmp, "cifar-100-python/cifar-100-python")+"/", "train")},
		{"cifar-100 downloads", downloads, read100, "cifar100", span(0, 6),
			[]string{filepath.Join(downloads, "cifar-100-python.tar.gz")}, []string{filepath.Join(downloads, "cifar-100-python.tar.gz") + ":cifar-100-python/train"}},

		{"svhn", "testdata/svhn", ReadSVHN, "svhn", span(0, 9),
			batches("testdata/svhn/", "train_1.pkl", "train_2.pkl", "train_3.pkl"), batches("testdata/svhn/", "train_1.pkl", "train_2.pkl", "train_3.pkl")},
		{"svhn file", "testdata/svhn/train_3.pkl", ReadSVHN, "svhn", span(5, 9),
			batches("testdata/svhn/", "train_3.pkl"), batches("testdata/svhn/", "train_3.pkl")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.read(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			checkImages(t, d, g[tt.golden], tt.images)
			if !slices.Equal(d.Sources, tt.sources) {
				t.Errorf("Sources = %q, want %q", d.Sources, tt.sources)
			}
			if !slices.Equal(d.Batches, tt.batches) {
				t.Errorf("Batches = %q, want %q", d.Batches, tt.batches)
			}
			classes := 10
			if tt.golden == "cifar100" {
				classes = 100
			}
			if d.Classes != classes {
				t.Errorf("Classes = %d, want %d", d.Classes, classes)
			}
			if err := d.Check(len(tt.images), false); err != nil {
				t.Error(err)
			}
			if err := d.Check(CIFARImages, false); err == nil || !strings.Contains(err.Error(), "want 50000: not the whole dataset") {
				t.Errorf("Check(50000, false) = %v", err)
			}
			if err := d.Check(CIFARImages, true); err != nil {
				t.Errorf("Check(50000, true) = %v", err)
			}
			for i := range d.Len() {
				row := d.OneHot(i)
				ones := 0
				for _, v := range row {
					if v != 0 {
						ones++
					}
				}
				if len(row) != classes || row[d.Labels[i]] != 1 || ones != 1 {
					t.Fatalf("OneHot(%d) = %v for label %d", i, row, d.Labels[i])
				}
			}
		})
	}
}

// TestPartial reads sets with missing batches: those present, in order.
func TestPartial(t *testing.T) {
	g := readGolden(t)
	dir := t.TempDir()
	unpack(t, "testdata/cifar-10-python.tar.gz", dir)
	py := filepath.Join(dir, "cifar-10-batches-py")
	for _, n := range []string{"data_batch_2", "data_batch_4"} {
		if err := os.Remove(filepath.Join(py, n)); err != nil {
			t.Fatal(err)
		}
	}
	d, err := ReadCIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, d, g["cifar10"], slices.Concat(span(0, 4), span(8, 12), span(16, 20)))
	if err := d.Check(CIFARImages, false); err == nil || !strings.Contains(err.Error(), "cifar: 12 images in "+py+"/data_batch_1, "+py+"/data_batch_3, "+py+"/data_batch_5, want 50000") {
		t.Errorf("Check = %v", err)
	}

	// An archive with only batches 5 and 2, in that order.
	_, m := members(t, "testdata/cifar-10-python.tar.gz")
	a := filepath.Join(dir, "partial.tar.gz")
	tarGz(t, a, true,
		[2]string{"cifar-10-batches-py/readme.html", "hi"},
		[2]string{"cifar-10-batches-py/data_batch_5", string(m["cifar-10-batches-py/data_batch_5"])},
		[2]string{"cifar-10-batches-py/data_batch_2", string(m["cifar-10-batches-py/data_batch_2"])})
	d, err = ReadCIFAR10(a)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, d, g["cifar10"], slices.Concat(span(4, 8), span(16, 20)))

	// SVHN without train_2.pkl.
	sv := filepath.Join(dir, "svhn")
	for _, n := range []string{"train_1.pkl", "train_3.pkl"} {
		b, _ := os.ReadFile("testdata/svhn/" + n)
		writeFile(t, filepath.Join(sv, n), b)
	}
	d, err = ReadSVHN(sv)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, d, g["svhn"], slices.Concat(span(0, 3), span(5, 9)))
	if err := d.Check(SVHNImages, false); err == nil || !strings.Contains(err.Error(), "cifar: 7 images in") {
		t.Errorf("Check = %v", err)
	}
}

// TestWriterMatchesPy2Pickle checks that the Go writer of py2_test.go lays
// out a batch exactly as py2pickle.py did for the fixture archive.
func TestWriterMatchesPy2Pickle(t *testing.T) {
	_, m := members(t, "testdata/cifar-10-python.tar.gz")
	want := m["cifar-10-batches-py/data_batch_3"]
	v, err := pickle.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*pickle.Dict)
	data, _ := d.Get("data")
	pix, _ := data.(*pickle.Array).Uint8()
	lv, _ := d.Get("labels")
	ls, _ := pickle.Ints(lv)
	labels := make([]int, len(ls))
	for i, l := range ls {
		labels[i] = int(l)
	}
	bl, _ := d.Get("batch_label")
	fv, _ := d.Get("filenames")
	var files []string
	for _, f := range fv.(*pickle.List).Items {
		files = append(files, string(f.([]byte)))
	}
	if got := cifarBatch(pix, labels, string(bl.([]byte)), files); !bytes.Equal(got, want) {
		t.Errorf("the Go writer's batch (%d bytes) differs from py2pickle.py's (%d bytes)", len(got), len(want))
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	pix := func(n int) []byte {
		b := make([]byte, n*ImageBytes)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	batch := func(data pyArray, labels ...any) []byte {
		return py2Pickle(pyDict{{"data", data}, {"labels", pyList(labels)}})
	}
	u1 := func(n int) pyArray { return pyArray{"u1", '|', []int{n, ImageBytes}, pix(n)} }
	svhn := func(images, labels any) []byte { return py2Pickle(pyTuple{images, labels}) }
	_, m := members(t, "testdata/cifar-10-python.tar.gz")
	good := m["cifar-10-batches-py/data_batch_1"]
	fixture, _ := os.ReadFile("testdata/cifar-10-python.tar.gz")
	evil, _ := os.ReadFile("../internal/pickle/testdata/bad_os_system_p2.pickle")

	tests := []struct {
		name  string
		files map[string]string // written under a fresh folder
		read  func(string) (*Dataset, error)
		path  string // read, relative to the folder
		err   string // with $ for the folder
	}{
		{"empty folder", nil, ReadCIFAR10, "", "cifar: $: no training data for CIFAR-10: looked for data_batch_1..data_batch_5, data_batch_1.bin..data_batch_5.bin, " +
			"cifar-10-batches-py/data_batch_1..data_batch_5, cifar-10-batches-bin/data_batch_1.bin..data_batch_5.bin, cifar-10-python.tar.gz, cifar-10-binary.tar.gz"},
		{"empty folder 100", nil, ReadCIFAR100, "", "cifar: $: no training data for CIFAR-100: looked for train, train.bin, cifar-100-python/train, cifar-100-binary/train.bin, cifar-100-python.tar.gz, cifar-100-binary.tar.gz"},
		{"empty folder svhn", nil, ReadSVHN, "", "cifar: $: no training data for SVHN: looked for train_1.pkl..train_3.pkl"},
		{"svhn .mat", map[string]string{"train_32x32.mat": "MATLAB 5.0"}, ReadSVHN, "", "cifar: $/train_32x32.mat: matv5: header: not a Level 5 MAT-file: unexpected EOF"},
		{"missing", nil, ReadCIFAR10, "nothing", "cifar: stat $/nothing: no such file or directory"},
		{"other file", map[string]string{"notes.txt": "hello"}, ReadCIFAR10, "notes.txt", "cifar: $/notes.txt: not a folder, a tar archive or a CIFAR-10 batch file (data_batch_1..data_batch_5"},
		{"archive without batches", nil, ReadCIFAR10, "x.tar.gz", "cifar: $/x.tar.gz: no training data for CIFAR-10 in the archive: looked for data_batch_1..data_batch_5"},
		{"truncated archive", map[string]string{"cifar-10-python.tar.gz": string(fixture[:len(fixture)/2])}, ReadCIFAR10, "", "cifar: $/cifar-10-python.tar.gz:cifar-10-batches-py/data_batch_3: unexpected EOF"},
		{"corrupt archive", map[string]string{"c.tar.gz": string(fixture[:30000]) + "\xff\xff\xff\xff" + string(fixture[30004:])}, ReadCIFAR10, "c.tar.gz", "cifar: $/c.tar.gz:cifar-10-batches-py/data_batch_3: pickle: offset 12432: unknown opcode 0x0a"},
		{"bad checksum", map[string]string{"c.tar.gz": string(fixture[:len(fixture)-8]) + "\x00\x00\x00\x00" + string(fixture[len(fixture)-4:])}, ReadCIFAR10, "c.tar.gz", "cifar: $/c.tar.gz: gzip: invalid checksum"},
		{"bad gzip header", map[string]string{"c.tar.gz": "\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x03rest"}, ReadCIFAR10, "c.tar.gz", "cifar: $/c.tar.gz: gzip: invalid header"},
		{"garbage batch", map[string]string{"data_batch_1": "hello"}, ReadCIFAR10, "", "cifar: $/data_batch_1: not a pickle (starts with 68 65 6c 6c 6f)"},
		{"truncated batch", map[string]string{"data_batch_1": string(good[:2000])}, ReadCIFAR10, "", "cifar: $/data_batch_1: pickle: offset 139: BINSTRING: truncated: needs 12288 bytes, 1856 left"},
		{"evil batch", map[string]string{"data_batch_2": string(evil)}, ReadCIFAR10, "", "cifar: $/data_batch_2: pickle: offset 2: global posix.system not allowed"},
		{"not a dict", map[string]string{"data_batch_1": string(py2Pickle(pyList{1}))}, ReadCIFAR10, "", "cifar: $/data_batch_1: a list, want a dict with 'data' and 'labels'"},
		{"no data", map[string]string{"data_batch_1": string(py2Pickle(pyDict{{"labels", pyList{}}}))}, ReadCIFAR10, "", "cifar: $/data_batch_1: no 'data' in the dict"},
		{"no labels", map[string]string{"data_batch_1": string(py2Pickle(pyDict{{"data", u1(1)}}))}, ReadCIFAR10, "", "cifar: $/data_batch_1: no 'labels' in the dict"},
		{"no fine labels", map[string]string{"train": string(batch(u1(1), 1))}, ReadCIFAR100, "", "cifar: $/train: no 'fine_labels' in the dict"},
		{"data not an array", map[string]string{"data_batch_1": string(batch2("data", pyList{}))}, ReadCIFAR10, "", "cifar: $/data_batch_1: 'data' is a list, want a uint8 ndarray of shape (n, 3072)"},
		{"int16 data", map[string]string{"data_batch_3": string(batch(pyArray{"i2", '<', []int{1, ImageBytes}, pix(2)}, 1))}, ReadCIFAR10, "",
			"cifar: $/data_batch_3: 'data' is an ndarray of dtype <i2 and shape [1 3072], want uint8 of shape (n, 3072)"},
		{"wrong shape", map[string]string{"data_batch_1": string(batch(pyArray{"u1", '|', []int{3, 1024}, pix(1)}, 1))}, ReadCIFAR10, "",
			"cifar: $/data_batch_1: 'data' is an ndarray of dtype |u1 and shape [3 1024], want uint8 of shape (n, 3072)"},
		{"label 10", map[string]string{"data_batch_1": string(batch(u1(3), 9, 0, 10))}, ReadCIFAR10, "", "cifar: $/data_batch_1: record 2: label 10 out of range 0..9"},
		{"label -1", map[string]string{"data_batch_5": string(batch(u1(2), -1, 0))}, ReadCIFAR10, "", "cifar: $/data_batch_5: record 0: label -1 out of range 0..9"},
		{"label 2^40", map[string]string{"data_batch_5": string(batch(u1(2), 1, 1<<40))}, ReadCIFAR10, "", "cifar: $/data_batch_5: record 1: label 1099511627776 out of range 0..9"},
		{"label 100", map[string]string{"train": string(py2Pickle(pyDict{{"data", u1(1)}, {"fine_labels", pyList{100}}}))}, ReadCIFAR100, "", "cifar: $/train: record 0: label 100 out of range 0..99"},
		{"label str", map[string]string{"data_batch_1": string(batch(u1(1), "cat"))}, ReadCIFAR10, "", "cifar: $/data_batch_1: 'labels': pickle: item 0 of the list is a bytes, want an int"},
		{"too few labels", map[string]string{"data_batch_1": string(batch(u1(2), 1))}, ReadCIFAR10, "", "cifar: $/data_batch_1: 2 images but 1 labels"},
		{"binary remainder", map[string]string{"data_batch_1.bin": string(pix(1)) + "xx"}, ReadCIFAR10, "", "cifar: $/data_batch_1.bin: 3074 bytes, not a whole number of 3073-byte records"},
		{"binary label 10", map[string]string{"data_batch_2.bin": "\x00" + string(pix(1)) + "\x0a" + string(pix(1))}, ReadCIFAR10, "", "cifar: $/data_batch_2.bin: record 1: label 10 out of range 0..9"},
		{"binary fine 100", map[string]string{"train.bin": "\x00\x64" + string(pix(1))}, ReadCIFAR100, "", "cifar: $/train.bin: record 0: label 100 out of range 0..99"},
		{"binary coarse 20", map[string]string{"train.bin": "\x13\x00" + string(pix(1)) + "\x14\x00" + string(pix(1))}, ReadCIFAR100, "", "cifar: $/train.bin: record 1: coarse label 20 out of range 0..19"},
		{"svhn label 10", map[string]string{"train_1.pkl": string(svhn(pyArray{"u1", '|', []int{2, 3, 32, 32}, pix(2)}, pyArray{"u1", '|', []int{2}, []byte{10, 1}}))}, ReadSVHN, "", "cifar: $/train_1.pkl: record 0: label 10 out of range 0..9"},
		{"svhn HWC", map[string]string{"train_2.pkl": string(svhn(pyArray{"u1", '|', []int{1, 32, 32, 3}, pix(1)}, pyList{1}))}, ReadSVHN, "",
			"cifar: $/train_2.pkl: images is an ndarray of dtype |u1 and shape [1 32 32 3], want uint8 of shape (n, 3, 32, 32)"},
		{"svhn float labels", map[string]string{"train_1.pkl": string(svhn(pyArray{"u1", '|', []int{1, 3, 32, 32}, pix(1)}, pyArray{"f4", '<', []int{1}, []byte{0, 0, 0, 0}}))}, ReadSVHN, "",
			"cifar: $/train_1.pkl: labels: pickle: ndarray of dtype <f4, want integers"},
		{"svhn triple", map[string]string{"train_3.pkl": string(py2Pickle(pyTuple{1, 2, 3}))}, ReadSVHN, "", "cifar: $/train_3.pkl: a tuple of 3, want a pair (images, labels)"},
		{"svhn dict", map[string]string{"train_3.pkl": string(py2Pickle(pyDict{}))}, ReadSVHN, "", "cifar: $/train_3.pkl: a dict, want a pair (images, labels)"},
		{"huge member", nil, ReadCIFAR10, "huge.tar", "cifar: $/huge.tar:data_batch_1: 1073741824 bytes, more than a batch of this dataset can be (64 MiB)"},
		{"two data_batch_1", nil, ReadCIFAR10, "two.tar.gz", "cifar: $/two.tar.gz: two members a/data_batch_1 and b/data_batch_1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := filepath.Join(dir, string(rune('a'+i%26))+strings.Repeat("x", i/26))
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, b := range tt.files {
				writeFile(t, filepath.Join(d, name), []byte(b))
			}
			switch tt.path {
			case "x.tar.gz":
				tarGz(t, filepath.Join(d, tt.path), true, [2]string{"cifar-10-batches-py/readme.html", "hi"})
			case "two.tar.gz":
				tarGz(t, filepath.Join(d, tt.path), true, [2]string{"a/data_batch_1", string(good)}, [2]string{"b/data_batch_1", string(good)})
			case "huge.tar":
				// A header announcing 1 GiB, then the archive ends.
				var buf bytes.Buffer
				tw := tar.NewWriter(&buf)
				tw.WriteHeader(&tar.Header{Name: "data_batch_1", Mode: 0o644, Size: 1 << 30, Typeflag: tar.TypeReg})
				tw.Write(make([]byte, 10000))
				writeFile(t, filepath.Join(d, tt.path), buf.Bytes())
			}
			_, err := tt.read(filepath.Join(d, tt.path))
			want := strings.ReplaceAll(tt.err, "$", d)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v\nwant %s", err, want)
			}
		})
	}
}

// batch2 is a CIFAR-10 batch pickle with the given 'data' value.
func batch2(key string, v any) []byte {
	return py2Pickle(pyDict{{key, v}, {"labels", pyList{}}})
}

func TestCheck(t *testing.T) {
	full := func() *Dataset {
		d := &Dataset{Pix: make([]byte, 2*ImageBytes), Labels: []int{3, 9}, Classes: 10, Batches: []string{"b"}}
		d.Pix[5], d.Pix[ImageBytes+7] = 255, 0
		return d
	}
	tests := []struct {
		name   string
		edit   func(*Dataset)
		want   int
		any    bool
		errMsg string
	}{
		{"ok", func(*Dataset) {}, 2, false, ""},
		{"partial", func(*Dataset) {}, 50000, true, ""},
		{"count", func(*Dataset) {}, 50000, false, "cifar: 2 images in b, want 50000: not the whole dataset"},
		{"empty", func(d *Dataset) { d.Pix, d.Labels = nil, nil }, 0, true, "cifar: b: no images"},
		{"dark", func(d *Dataset) { d.Pix[5] = 254 }, 2, false, "cifar: b: pixel values span 0..254, want 0..255"},
		{"bright", func(d *Dataset) {
			for i := range d.Pix {
				d.Pix[i] = max(d.Pix[i], 1)
			}
		}, 2, false, "cifar: b: pixel values span 1..255, want 0..255"},
		{"label", func(d *Dataset) { d.Labels[1] = 10 }, 2, false, "cifar: b: image 1: label 10 out of range 0..9"},
		{"negative label", func(d *Dataset) { d.Labels[0] = -1 }, 2, false, "cifar: b: image 0: label -1 out of range 0..9"},
		{"labels", func(d *Dataset) { d.Labels = d.Labels[:1] }, 2, false, "cifar: b: 6144 pixel bytes and 1 labels do not make whole 3072-byte images"},
		{"pixels", func(d *Dataset) { d.Pix = d.Pix[:100] }, 2, false, "cifar: b: 100 pixel bytes and 2 labels do not make whole 3072-byte images"},
		{"label in a later batch", func(d *Dataset) {
			pix, labels := d.Pix, d.Labels
			*d = Dataset{Classes: 10}
			d.add(batch{"x.tar:data_batch_1", pix[:ImageBytes], labels[:1]}, false)
			d.add(batch{"x.tar:data_batch_2", pix[ImageBytes:], []int{200}}, false)
		}, 2, false, "cifar: x.tar:data_batch_2: image 0: label 200 out of range 0..9"},
		{"no names", func(d *Dataset) { d.Batches = nil; d.Labels[1] = 200 }, 2, false, "cifar: the dataset: image 1: label 200 out of range 0..9"},
	}
	for _, tt := range tests {
		d := full()
		tt.edit(d)
		err := d.Check(tt.want, tt.any)
		if (err == nil) != (tt.errMsg == "") || err != nil && err.Error() != tt.errMsg {
			t.Errorf("%s: Check = %v, want %q", tt.name, err, tt.errMsg)
		}
	}
}

func TestImage(t *testing.T) {
	d := &Dataset{Pix: make([]byte, 2*ImageBytes), Labels: []int{0, 1}, Classes: 10}
	d.Pix[ImageBytes] = 7
	m := d.Image(1)
	if m.Channels != 3 || m.Size != 32 || len(m.Pix) != ImageBytes || m.Pix[0] != 7 || cap(m.Pix) != ImageBytes {
		t.Fatalf("Image(1) = %d×%d, %d bytes (cap %d), first %d", m.Channels, m.Size, len(m.Pix), cap(m.Pix), m.Pix[0])
	}
	// The red plane comes first: pixel (0, 0) of image 1 is red 7.
	if r, g, b, _ := m.At(0, 0).RGBA(); r>>8 != 7 || g != 0 || b != 0 {
		t.Errorf("At(0, 0) = %d %d %d", r>>8, g>>8, b>>8)
	}
}

// The official SVHN .mat release reads as the same dataset as NVIDIA's
// pickles: images transposed to CHW, label 10 as 0 (goldens from scipy).
func TestSVHNMat(t *testing.T) {
	b, err := os.ReadFile("testdata/svhn-mat/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Images []string `json:"images_sha256"`
		Labels []int
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"testdata/svhn-mat", "testdata/svhn-mat/train_32x32.mat"} {
		d, err := ReadSVHN(path)
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != len(g.Images) || !slices.Equal(d.Labels, g.Labels) {
			t.Fatalf("%s: %d images, labels %v, want %v", path, d.Len(), d.Labels, g.Labels)
		}
		for i, want := range g.Images {
			sum := sha256.Sum256(d.Image(i).Pix)
			if got := hex.EncodeToString(sum[:]); got != want {
				t.Errorf("%s: image %d: sha256 %s, want %s", path, i, got, want)
			}
		}
		if err := d.Check(SVHNImages, false); err == nil {
			t.Error("7 images pass the 73 257 check")
		}
	}
}
