package pyramid

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid/internal/tfrecord"
)

func randomImage(rng *rand.Rand, c, size int) *planar.Image {
	m := planar.NewImage(c, size)
	for i := range m.Pix {
		m.Pix[i] = byte(rng.IntN(256))
	}
	return m
}

// writeDataset writes n random images and returns them with their labels.
func writeDataset(t testing.TB, dir string, n, c, size, labelSize int, opt Options) ([]*planar.Image, [][]float32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), uint64(size)))
	w, err := Create(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	var imgs []*planar.Image
	var labels [][]float32
	for i := range n {
		img := randomImage(rng, c, size)
		var lab []float32
		if labelSize > 0 {
			lab = make([]float32, labelSize)
			lab[i%labelSize] = 1
			lab[0] += float32(i) / 8
		}
		if err := w.Add(img, lab); err != nil {
			t.Fatal(err)
		}
		imgs, labels = append(imgs, img), append(labels, lab)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return imgs, labels
}

// expectedTier builds the bytes a tier file must hold, from the format
// rules: frames of Examples of the reference cascade, in input order.
func expectedTier(imgs []*planar.Image, lod int) []byte {
	var b []byte
	for _, img := range imgs {
		m := img
		if lod > 0 {
			m = Downsample(img)[lod-1]
		}
		b = tfrecord.AppendFrame(b, tfrecord.AppendExample(nil, m.Channels, m.Size, m.Size, m.Pix))
	}
	return b
}

func TestWriterFiles(t *testing.T) {
	for _, c := range []int{1, 3} {
		dir := filepath.Join(t.TempDir(), "mini")
		imgs, labels := writeDataset(t, dir, 37, c, 32, 10, Options{})
		names := []string{"mini-r05.tfrecords", "mini-r04.tfrecords", "mini-r03.tfrecords", "mini-r02.tfrecords"}
		for lod, name := range names {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, expectedTier(imgs, lod)) {
				t.Fatalf("c=%d %s differs from the expected records", c, name)
			}
		}
		// 3×32×32 records are 3111 + 16 bytes (docs/dataset-format.md).
		if c == 3 {
			st, _ := os.Stat(filepath.Join(dir, names[0]))
			if st.Size() != 37*(3111+16) {
				t.Fatalf("r05 is %d bytes, want %d", st.Size(), 37*(3111+16))
			}
		}
		m, err := npy.ReadFile(filepath.Join(dir, "mini-rxx.labels"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != 37 || m.Cols != 10 {
			t.Fatalf("labels %d×%d", m.Rows, m.Cols)
		}
		for i := range labels {
			if !slices.Equal(m.Row(i), labels[i]) {
				t.Fatalf("label row %d = %v, want %v", i, m.Row(i), labels[i])
			}
		}
		// The labels file is what np.save writes for the same array.
		var want bytes.Buffer
		if err := npy.Write(&want, m); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "mini-rxx.labels"))
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatal("labels file is not np.save's layout")
		}
		entries, _ := os.ReadDir(dir)
		var listed []string
		for _, e := range entries {
			listed = append(listed, e.Name())
		}
		want2 := append(slices.Clone(names), "mini-rxx.labels", IndexFile, ManifestFile)
		slices.Sort(want2)
		if !slices.Equal(listed, want2) {
			t.Fatalf("files %v, want %v", listed, want2)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rt")
	imgs, labels := writeDataset(t, dir, 20, 3, 16, 4, Options{})
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Images != 20 || d.Resolution != 16 || d.Channels != 3 || d.LabelSize != 4 || len(d.Tiers) != 3 {
		t.Fatalf("opened %+v", d)
	}
	if d.Manifest == nil || d.Manifest.Images != 20 {
		t.Fatal("manifest missing")
	}
	for _, i := range []int{0, 7, 19} {
		img, err := d.Image(16, i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img.Pix, imgs[i].Pix) {
			t.Fatalf("record %d differs", i)
		}
		low, err := d.Image(4, i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(low.Pix, Downsample(imgs[i])[1].Pix) {
			t.Fatalf("4×4 record %d differs", i)
		}
	}
	if _, err := d.Image(16, 20); err == nil {
		t.Fatal("record 20 of 20 accepted")
	}
	n := 0
	for rec, err := range d.Records(8) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Index != n || !bytes.Equal(rec.Image.Pix, Downsample(imgs[n])[0].Pix) || !slices.Equal(rec.Label, labels[n]) {
			t.Fatalf("streamed record %d differs", n)
		}
		n++
	}
	if n != 20 {
		t.Fatalf("streamed %d records", n)
	}
	checkRange(t, d, 16, imgs)
	var seen []int
	for rec, err := range d.Shuffled(16, 5) {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rec.Image.Pix, imgs[rec.Index].Pix) || !slices.Equal(rec.Label, labels[rec.Index]) {
			t.Fatalf("shuffled record %d differs", rec.Index)
		}
		seen = append(seen, rec.Index)
	}
	if slices.IsSorted(seen) {
		t.Fatalf("shuffled order is sorted: %v", seen)
	}
	slices.Sort(seen)
	for i, v := range seen {
		if v != i {
			t.Fatalf("shuffled stream is not a permutation: %v", seen)
		}
	}
	rep, err := verifyDir(dir, VerifyOptions{Deep: true})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}

func TestCompressed(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "plain")
	imgs, _ := writeDataset(t, plain, 12, 3, 8, 0, Options{})
	for _, c := range []Compression{Gzip, Zlib} {
		dir := filepath.Join(t.TempDir(), "z")
		writeDataset(t, dir, 12, 3, 8, 0, Options{Compression: c})
		// Each tier is the uncompressed tier inside one gzip/zlib stream,
		// as TensorFlow's TFRecordWriter with that compression type writes.
		for _, name := range []string{"z-r03.tfrecords", "z-r02.tfrecords"} {
			raw, _ := os.ReadFile(filepath.Join(dir, name))
			var zr io.Reader
			var err error
			if c == Gzip {
				zr, err = gzip.NewReader(bytes.NewReader(raw))
			} else {
				zr, err = zlib.NewReader(bytes.NewReader(raw))
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(plain, strings.Replace(name, "z-", "plain-", 1)))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s %s: decompressed bytes differ from the plain tier", c, name)
			}
		}
		d, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Tiers[0].Compression != c || d.Images != 12 {
			t.Fatalf("%s: opened as %s with %d images", c, d.Tiers[0].Compression, d.Images)
		}
		if _, err := d.Image(8, 0); !errors.Is(err, ErrCompressed) {
			t.Fatalf("%s: random access error %v", c, err)
		}
		i := 0
		for rec, err := range d.Records(8) {
			if err != nil || !bytes.Equal(rec.Image.Pix, imgs[i].Pix) {
				t.Fatalf("%s: record %d: %v", c, i, err)
			}
			i++
		}
		checkRange(t, d, 8, imgs)
		seen := map[int]bool{}
		for rec, err := range d.Shuffled(4, 1) {
			if err != nil {
				t.Fatal(err)
			}
			seen[rec.Index] = true
		}
		if len(seen) != 12 {
			t.Fatalf("%s: shuffled stream gave %d distinct records", c, len(seen))
		}
		d.Close()
		// No manifest: compression is found from the bytes.
		os.Remove(filepath.Join(dir, ManifestFile))
		d, err = Open(dir)
		if err != nil || d.Tiers[1].Compression != c || d.Images != 12 {
			t.Fatalf("%s without manifest: %v", c, err)
		}
		d.Close()
		rep, err := verifyDir(dir, VerifyOptions{Deep: true})
		if err != nil || !rep.OK() {
			t.Fatalf("%s verify: %v %v", c, err, rep.Problems)
		}
	}
}

// A dataset in the original's layout, written here frame by frame with an
// 80-byte-header labels file as numpy ≤ 1.13 wrote, and no sidecars.
func TestOpenOriginalLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "orig")
	os.Mkdir(dir, 0o755)
	rng := rand.New(rand.NewPCG(3, 3))
	var imgs []*planar.Image
	for range 5 {
		imgs = append(imgs, randomImage(rng, 1, 16))
	}
	for lod, name := range []string{"orig-r04.tfrecords", "orig-r03.tfrecords", "orig-r02.tfrecords"} {
		if err := os.WriteFile(filepath.Join(dir, name), expectedTier(imgs, lod), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// np.save of float32 (5, 2) under numpy ≤ 1.13: 80-byte header.
	hdr := "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }"
	hdr += strings.Repeat(" ", 80-10-len(hdr)-1) + "\n"
	lab := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), 0)
	lab = append(lab, hdr...)
	for i := range 10 {
		lab = binary.LittleEndian.AppendUint32(lab, 0x3f800000*uint32(i%2)) // 0, 1, 0, 1, ...
	}
	os.WriteFile(filepath.Join(dir, "orig-rxx.labels"), lab, 0o644)

	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Manifest != nil || d.Images != 5 || d.Channels != 1 || d.Resolution != 16 || d.LabelSize != 2 {
		t.Fatalf("opened %+v", d)
	}
	img, err := d.Image(8, 3)
	if err != nil || !bytes.Equal(img.Pix, Downsample(imgs[3])[0].Pix) {
		t.Fatalf("record 3 of 8×8: %v", err)
	}
	l, err := d.label(3)
	if err != nil || !slices.Equal(l, []float32{0, 1}) {
		t.Fatalf("label 3 = %v, %v", l, err)
	}
	rep, err := verifyDir(dir, VerifyOptions{Deep: true})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}

func TestInterruptedWriteLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ds")
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 5 {
		if err := w.Add(randomImage(rng, 3, 8), nil); err != nil {
			t.Fatal(err)
		}
	}
	kill(w) // records are on disk, Close never runs
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Open after interruption: %v", err)
	}
	// The partial folder holds no *.tfrecords the original reader would see
	// at the destination, and a new run restarts cleanly.
	writeDataset(t, dir, 3, 3, 8, 0, Options{})
	if _, err := os.Stat(PartialDir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("partial folder left behind: %v", err)
	}
	d, err := Open(dir)
	if err != nil || d.Images != 3 {
		t.Fatalf("restarted dataset: %v", err)
	}
	d.Close()

	// Abort removes everything; a failed Close leaves nothing either.
	dir2 := filepath.Join(parent, "ds2")
	w, _ = Create(dir2, Options{})
	w.Add(randomImage(rng, 1, 4), nil)
	w.Abort()
	w, _ = Create(dir2, Options{})
	if err := w.Close(); err == nil {
		t.Fatal("Close of an empty dataset succeeded")
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.Name() != "ds" {
			t.Fatalf("left behind: %s", e.Name())
		}
	}
}

func TestCreateRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), nil, 0o644)
	if _, err := Create(dir, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v", err)
	}
	// An existing empty folder is fine and is replaced.
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)
	writeDataset(t, empty, 2, 1, 4, 0, Options{})
	if _, err := os.Stat(filepath.Join(empty, "empty-r02.tfrecords")); err != nil {
		t.Fatal(err)
	}
}

func TestAddRejects(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "x"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	tests := []struct {
		name string
		img  image.Image
	}{
		{"non-square", image.NewRGBA(image.Rect(0, 0, 8, 4))},
		{"not power of two", image.NewGray(image.Rect(0, 0, 12, 12))},
		{"too small", image.NewGray(image.Rect(0, 0, 2, 2))},
	}
	for _, tc := range tests {
		if err := w.Add(tc.img, nil); err == nil {
			t.Errorf("%s accepted", tc.name)
		}
	}
	if err := w.Add(image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err == nil {
		t.Error("RGB image accepted into a gray dataset")
	}
	if err := w.Add(image.NewGray(image.Rect(0, 0, 16, 16)), nil); err == nil {
		t.Error("16×16 image accepted into an 8×8 dataset")
	}
	if err := w.Add(image.NewGray(image.Rect(0, 0, 8, 8)), []float32{1}); err == nil {
		t.Error("label accepted into an unlabelled dataset")
	}
}

// Standard image types become the planar layout: RGBA and NRGBA keep their
// colour channels, and alpha is dropped.
func TestAddImageTypes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "types")
	w, _ := Create(dir, Options{})
	rgba := image.NewRGBA(image.Rect(0, 0, 4, 4))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	ycc := image.NewYCbCr(image.Rect(0, 0, 4, 4), image.YCbCrSubsampleRatio444)
	for i := range 16 {
		rgba.SetRGBA(i%4, i/4, color.RGBA{byte(i), byte(2 * i), byte(3 * i), 255})
		nrgba.SetNRGBA(i%4, i/4, color.NRGBA{byte(i), byte(2 * i), byte(3 * i), 7})
	}
	for i := range ycc.Y {
		ycc.Y[i], ycc.Cb[i], ycc.Cr[i] = 128, 128, 128
	}
	half := image.NewRGBA(image.Rect(0, 0, 4, 4)) // premultiplied, alpha 128
	for i := range 16 {
		half.SetRGBA(i%4, i/4, color.RGBA{byte(i) / 2, byte(2*i) / 2, byte(3*i) / 2, 128})
	}
	for _, img := range []image.Image{rgba, nrgba, ycc, half} {
		if err := w.Add(img, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, _ := Open(dir)
	defer d.Close()
	want := make([]byte, 48)
	for i := range 16 {
		want[i], want[16+i], want[32+i] = byte(i), byte(2*i), byte(3*i)
	}
	for i := range 2 {
		img, _ := d.Image(4, i)
		if !bytes.Equal(img.Pix, want) {
			t.Fatalf("image %d = %v, want %v", i, img.Pix, want)
		}
	}
	img, _ := d.Image(4, 2)
	if !bytes.Equal(img.Pix, bytes.Repeat([]byte{128}, 48)) {
		t.Fatalf("YCbCr gray = %v", img.Pix)
	}
	// Premultiplied v/2 at alpha 128 comes back as (v/2)*255/128, truncated.
	img, _ = d.Image(4, 3)
	for i, v := range want {
		if got := byte(min(int(v/2)*255/128, 255)); img.Pix[i] != got {
			t.Fatalf("premultiplied pixel %d = %d, want %d", i, img.Pix[i], got)
		}
	}
}

func TestVerifyFindsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(dir string)
		want   string
		deep   bool
	}{
		{"flipped byte", func(dir string) { flipByte(filepath.Join(dir, "v-r03.tfrecords"), 40) }, "checksum", false},
		{"truncated tier", func(dir string) { truncate(filepath.Join(dir, "v-r02.tfrecords"), -10) }, "v-r02.tfrecords", false},
		{"dropped record", func(dir string) { truncate(filepath.Join(dir, "v-r02.tfrecords"), -(82 + 16)) }, "records", false},
		{"labels changed", func(dir string) { flipByte(filepath.Join(dir, "v-rxx.labels"), 130) }, "SHA-256", false},
		{"wrong cascade", func(dir string) {
			// A well-formed record with one pixel off: only --deep sees it.
			path := filepath.Join(dir, "v-r02.tfrecords")
			b, _ := os.ReadFile(path)
			var out []byte
			r := tfrecord.NewReader(bytes.NewReader(b), 0)
			for i := 0; ; i++ {
				p, err := r.Next()
				if err != nil {
					break
				}
				shape, data, _ := tfrecord.ParseExample(p)
				data = bytes.Clone(data)
				if i == 2 {
					data[5] ^= 1
				}
				out = tfrecord.AppendFrame(out, tfrecord.AppendExample(nil, int(shape[0]), int(shape[1]), int(shape[2]), data))
			}
			os.WriteFile(path, out, 0o644)
			os.Remove(filepath.Join(dir, ManifestFile))
			os.Remove(filepath.Join(dir, IndexFile))
		}, "record 2 differs from the cascade", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "v")
			writeDataset(t, dir, 6, 3, 16, 3, Options{})
			tc.damage(dir)
			rep, err := verifyDir(dir, VerifyOptions{Deep: tc.deep})
			if err != nil {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
				t.Fatalf("verify error: %v", err)
			}
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tc.want) {
				t.Fatalf("problems %q, want one mentioning %q", rep.Problems, tc.want)
			}
			if tc.deep {
				if rep, _ := verifyDir(dir, VerifyOptions{}); !rep.OK() {
					t.Fatalf("shallow verify already failed: %v", rep.Problems)
				}
			}
		})
	}
}

func flipByte(path string, off int) {
	b, _ := os.ReadFile(path)
	b[off] ^= 0x10
	os.WriteFile(path, b, 0o644)
}

func truncate(path string, delta int64) {
	st, _ := os.Stat(path)
	os.Truncate(path, st.Size()+delta)
}

func TestCompare(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	writeDataset(t, a, 5, 1, 8, 2, Options{})
	writeDataset(t, b, 5, 1, 8, 2, Options{Compression: Gzip})
	da, _ := Open(a)
	db, _ := Open(b)
	c, err := Compare(da, db, false, nil)
	if err != nil || !c.Identical() || c.IdenticalImages != 5 || c.IdenticalLabels != 5 {
		t.Fatalf("identical datasets: %+v %v", c, err)
	}
	da.Close()
	db.Close()
	other := filepath.Join(t.TempDir(), "c")
	writeDataset(t, other, 6, 1, 8, 2, Options{})
	dc, _ := Open(other)
	da, _ = Open(a)
	c, _ = Compare(da, dc, false, nil)
	if c.Identical() || c.Compared != 5 {
		t.Fatalf("different datasets: %+v", c)
	}
}

func TestExtract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	imgs, _ := writeDataset(t, dir, 4, 3, 8, 0, Options{})
	d, _ := Open(dir)
	defer d.Close()
	out := t.TempDir()
	if err := Extract(t.Context(), d, 8, 1, 3, out, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 || entries[0].Name() != "img00000001.png" || entries[1].Name() != "img00000002.png" {
		t.Fatalf("extracted %v", entries)
	}
	f, _ := os.Open(filepath.Join(out, "img00000002.png"))
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(3, 5).RGBA()
	want := imgs[2]
	i := 5*8 + 3
	if byte(r>>8) != want.Pix[i] || byte(g>>8) != want.Pix[64+i] || byte(b>>8) != want.Pix[128+i] {
		t.Fatal("extracted pixel differs")
	}
}

func FuzzReadIndex(f *testing.F) {
	var buf bytes.Buffer
	writeIndex(&buf, []tierIndex{{resolution: 8, records: 3, stride: 100}, {resolution: 4, records: 2, offsets: []int64{0, 50}}})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		readIndex(b)
	})
}

func BenchmarkPack32(b *testing.B) {
	benchmarkPack(b, 50000, 32)
}

func BenchmarkPack1024(b *testing.B) {
	benchmarkPack(b, 16, 1024)
}

// benchmarkPack measures packing n random c×size² images per op, from
// images already in memory: the cascade, encoding, checksums and writes.
func benchmarkPack(b *testing.B, n, size int) {
	rng := rand.New(rand.NewPCG(1, 1))
	imgs := make([]*planar.Image, 64)
	for i := range imgs {
		imgs[i] = randomImage(rng, 3, size)
	}
	b.SetBytes(int64(n * 3 * size * size))
	b.ReportAllocs()
	var written int64
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "bench")
		w, err := Create(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if err := w.Add(imgs[i%len(imgs)], nil); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				written += info.Size()
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(written)/1e6/b.Elapsed().Seconds(), "MB-written/s")
}

func TestSheet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	imgs, _ := writeDataset(t, dir, 3, 3, 8, 0, Options{})
	d, _ := Open(dir)
	defer d.Close()
	img, err := Sheet(d, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 2 records × 8 px + 2 px gap wide; tiers 8 and 4, so 2 rows.
	if b := img.Bounds(); b.Dx() != 18 || b.Dy() != 18 {
		t.Fatalf("sheet is %v", b)
	}
	// Record 2 at (10, 0); its pixel (3, 1); the 4×4 row at y=10 doubles pixels.
	r, _, _, _ := img.At(10+3, 1).RGBA()
	if byte(r>>8) != imgs[2].Pix[1*8+3] {
		t.Fatal("sheet pixel differs from the record")
	}
	low := Downsample(imgs[1])[0]
	r, _, _, _ = img.At(5, 10+3).RGBA()
	if byte(r>>8) != low.Pix[1*4+2] {
		t.Fatal("sheet's 4×4 row is not the scaled-up record")
	}
	if _, err := Sheet(d, 2, 5); err == nil {
		t.Fatal("sheet beyond the records accepted")
	}
}

func verifyDir(dir string, opt VerifyOptions) (*Report, error) {
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Verify(opt), nil
}

// checkRange reads records [3, 6) of the full tier, which must be imgs[3:6].
func checkRange(t *testing.T, d *Dataset, res int, imgs []*planar.Image) {
	t.Helper()
	want := 3
	for rec, err := range d.Range(res, 3, 6) {
		if err != nil || rec.Index != want || !bytes.Equal(rec.Image.Pix, imgs[want].Pix) {
			t.Fatalf("Range record %d (want %d): %v", rec.Index, want, err)
		}
		want++
	}
	if want != 6 {
		t.Fatalf("Range(3, 6) ended at %d", want)
	}
}
