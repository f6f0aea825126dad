package main

import (
	"archive/zip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/progan/progan/pyramid"
)

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// progan mnist writes the records create_mnist writes (golden md5s from
// numpy running the original's code) and export-zip turns them into a
// stylegan2-ada zip with class labels.
func TestMNISTCommand(t *testing.T) {
	const src = "../../mnist/testdata"
	out := filepath.Join(t.TempDir(), "mnist")
	if code, _, stderr := progan(t, "mnist", "--quiet", "-o", out, src); code != 1 || !strings.Contains(stderr, "--allow-partial") {
		t.Fatalf("50 images without --allow-partial: exit %d: %s", code, stderr)
	}
	if code, _, stderr := progan(t, "mnist", "--quiet", "--allow-partial", "-o", out, src); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(src, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		MNIST  []string `json:"mnist_md5"`
		Labels []int    `json:"mnist_labels"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	d, err := pyramid.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for rec, err := range d.Records(32) {
		if err != nil {
			t.Fatal(err)
		}
		if got := md5hex(rec.Image.Pix); got != g.MNIST[rec.Index] {
			t.Errorf("record %d: md5 %s, want %s", rec.Index, got, g.MNIST[rec.Index])
		}
		if rec.Label[g.Labels[rec.Index]] != 1 {
			t.Errorf("record %d: label %v, want class %d", rec.Index, rec.Label, g.Labels[rec.Index])
		}
	}
	zipped := filepath.Join(t.TempDir(), "mnist.zip")
	if code, stdout, stderr := progan(t, "export-zip", "--quiet", "-o", zipped, out); code != 0 || !strings.Contains(stdout, "Exported 50 images") {
		t.Fatalf("export-zip: exit %d: %s%s", code, stdout, stderr)
	}
	zr, err := zip.OpenReader(zipped)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, _ := zr.Open("dataset.json")
	var meta struct{ Labels [][2]any }
	if err := json.NewDecoder(f).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if len(meta.Labels) != 50 || meta.Labels[7][0] != "00000/img00000007.png" || meta.Labels[7][1] != float64(g.Labels[7]) {
		t.Errorf("dataset.json labels %v", meta.Labels[:8])
	}
	if code, _, _ := progan(t, "export-zip", "--quiet", "-o", zipped, out); code != 1 {
		t.Errorf("export-zip over an existing zip: exit %d", code)
	}
}

func TestMNISTRGBCommand(t *testing.T) {
	const src = "../../mnist/testdata"
	out := filepath.Join(t.TempDir(), "rgb")
	if code, _, stderr := progan(t, "mnistrgb", "--quiet", "--allow-partial", "--num-images", "9", "--seed", "5", "-o", out, src); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(src, "golden.json"))
	var g struct {
		RGB []string `json:"mnistrgb_seed5_md5"`
	}
	json.Unmarshal(b, &g)
	d, err := pyramid.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n := 0
	for rec, err := range d.Records(32) {
		if err != nil {
			t.Fatal(err)
		}
		if got := md5hex(rec.Image.Pix); got != g.RGB[rec.Index] {
			t.Errorf("image %d: md5 %s, want %s", rec.Index, got, g.RGB[rec.Index])
		}
		n++
	}
	if n != 9 || d.LabelSize != 0 {
		t.Errorf("%d images, labels %d", n, d.LabelSize)
	}
}

func TestCelebACommand(t *testing.T) {
	src := t.TempDir()
	os.CopyFS(src, os.DirFS("../../celeba/testdata"))
	out := filepath.Join(t.TempDir(), "celeba")
	if code, _, stderr := progan(t, "celeba", "--quiet", "-o", out, src); code != 1 || !strings.Contains(stderr, "found 5 images") {
		t.Fatalf("5 images without --allow-partial: exit %d: %s", code, stderr)
	}
	if code, _, stderr := progan(t, "celeba", "--quiet", "--cx", "30", "--allow-partial", "-o", out, src); code != 2 || !strings.Contains(stderr, "must lie inside") {
		t.Fatalf("--cx 30: exit %d: %s", code, stderr)
	}
	// A broken file stops the run, or is skipped with --keep-going.
	bad := filepath.Join(src, "img_align_celeba_png", "000003.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	if code, _, stderr := progan(t, "celeba", "--quiet", "--allow-partial", "-o", out, src); code != 1 || !strings.Contains(stderr, "000003.png") || !strings.Contains(stderr, "--keep-going") {
		t.Fatalf("broken file: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed run left output")
	}
	code, stdout, stderr := progan(t, "celeba", "--quiet", "--allow-partial", "--keep-going", "-o", out, src)
	if code != 0 || !strings.Contains(stdout, "Packed 4 images (3×128×128)") || !strings.Contains(stdout, "000003.png") {
		t.Fatalf("--keep-going: exit %d: %s%s", code, stdout, stderr)
	}
}

// progan lsun writes the original's records (the package test checks every
// tier's md5) and reports the undecodable entry by key.
func TestLSUNCommand(t *testing.T) {
	const src = "../../lsun/testdata/mini_train_lmdb"
	out := filepath.Join(t.TempDir(), "lsun")
	code, stdout, stderr := progan(t, "lsun", "--quiet", "--resolution", "64", "-o", out, src)
	if code != 0 || !strings.Contains(stdout, "Packed 15 images (3×64×64)") || !strings.Contains(stdout, "Skipped 1 of 16") ||
		!strings.Contains(stdout, "69c74743265d7b490b2b8a1edaa8c789912cc36f") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	b, _ := os.ReadFile("../../lsun/testdata/expected.json")
	var x struct {
		Entries []struct {
			Record *int              `json:"record_index"`
			R64    map[string]string `json:"tier_md5_r64"`
			Format string
		}
	}
	json.Unmarshal(b, &x)
	d, err := pyramid.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, e := range x.Entries {
		if e.Record == nil {
			continue
		}
		for _, res := range []int{64, 8} {
			m, err := d.Image(res, *e.Record)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5hex(m.Pix); got != e.R64[strconv.Itoa(res)] {
				t.Errorf("record %d tier %d: md5 %s, want %s", *e.Record, res, got, e.R64[strconv.Itoa(res)])
			}
		}
	}
	out2 := filepath.Join(t.TempDir(), "lsun")
	if code, _, stderr := progan(t, "lsun", "--quiet", "--strict", "--resolution", "64", "-o", out2, src); code != 1 ||
		!strings.Contains(stderr, "69c74743") || !strings.Contains(stderr, "without --strict") {
		t.Fatalf("--strict: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := progan(t, "lsun", "--quiet", "--max-images", "3", "--resolution", "16", "-o", out2, src); code != 0 || !strings.Contains(stdout, "Packed 3 images") {
		t.Fatalf("--max-images 3: exit %d: %s", code, stdout)
	}
}

// progan celebahq on the oracle fixture: the original's md5s hold for each
// image (checked inside), --resolution is refused, and a run interrupted
// after one image resumes into the same dataset.
func TestCelebAHQCommand(t *testing.T) {
	const src = "../../celebahq/testdata/celebahq-mini"
	out := filepath.Join(t.TempDir(), "hq")
	if code, _, stderr := progan(t, "celebahq", "--quiet", "--resolution", "256", "-o", out, src, src+"/deltas"); code != 2 || !strings.Contains(stderr, "1024") {
		t.Fatalf("--resolution 256: exit %d: %s", code, stderr)
	}
	if code, _, stderr := progan(t, "celebahq", "--quiet", "-o", out, src); code != 2 || !strings.Contains(stderr, "--no-deltas") {
		t.Fatalf("no DELTAS_DIR: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := progan(t, "celebahq", "--quiet", "--only", "17,1234", "-o", out, src, src+"/deltas")
	if code != 0 || !strings.Contains(stdout, "Packed 2 images (3×1024×1024)") || !strings.Contains(stderr, "names 5 of the 30000") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	d, err := pyramid.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// idx 1234 comes before idx 17 in the shuffled order; final_md5 from image_list.txt.
	for i, want := range []string{"c77111ab19d608c8c0e9d3ace8267b38", "14ba260624309fc69bd9f9d51005af0c"} {
		m, err := d.Image(1024, i)
		if err != nil {
			t.Fatal(err)
		}
		if md5hex(m.Pix) != want {
			t.Errorf("record %d: md5 %s, want %s", i, md5hex(m.Pix), want)
		}
	}
	// The whole fixture: every record, read back through pyramid, has the
	// original's final_md5, in the full set's shuffled order.
	all := filepath.Join(t.TempDir(), "hq")
	if code, _, stderr := progan(t, "celebahq", "--quiet", "-o", all, src, src+"/deltas"); code != 0 {
		t.Fatalf("whole fixture: exit %d: %s", code, stderr)
	}
	finals := map[int]string{}
	list, _ := os.ReadFile(src + "/deltas/image_list.txt")
	for _, line := range strings.Split(string(list), "\n")[1:] {
		var idx, orig int
		var file, proc, final string
		if n, _ := fmt.Sscan(line, &idx, &orig, &file, &proc, &final); n == 5 {
			finals[idx] = final
		}
	}
	da, err := pyramid.Open(all)
	if err != nil {
		t.Fatal(err)
	}
	defer da.Close()
	for i, idx := range []int{1234, 7999, 17, 7000, 29999} {
		m, err := da.Image(1024, i)
		if err != nil {
			t.Fatal(err)
		}
		if got := md5hex(m.Pix); got != finals[idx] {
			t.Errorf("record %d (idx %d): md5 %s, want final_md5 %s", i, idx, got, finals[idx])
		}
	}
	// Interrupted after the first image (a checkpoint then a kill), the
	// run resumes into the same dataset.
	fp, err := pyramid.FingerprintFiles(fmt.Sprintf("celebahq\x00%v\x00%s\x00%s\x00%s\x00%v", false, "17,1234", "", "none", false),
		[]string{filepath.Join(src, "Anno", "list_landmarks_celeba.txt"), filepath.Join(src+"/deltas", "image_list.txt")})
	if err != nil {
		t.Fatal(err)
	}
	out3 := filepath.Join(t.TempDir(), "hq")
	w, _ := pyramid.Create(out3, pyramid.Options{Fingerprint: fp})
	first, _ := d.Image(1024, 0)
	w.Add(first, nil)
	if kept, err := w.Stop(); !kept || err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = progan(t, "celebahq", "--quiet", "--resume", "--only", "17,1234", "-o", out3, src, src+"/deltas")
	if code != 0 || !strings.Contains(stderr, "resuming") || !strings.Contains(stdout, "Packed 2 images") {
		t.Fatalf("--resume: exit %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, _ := progan(t, "compare", "--quiet", out, out3); code != 0 {
		t.Fatalf("resumed dataset differs:\n%s", stdout)
	}
	// --keep-going lists a failing image and goes on; without it nothing is written.
	bad := t.TempDir()
	os.CopyFS(bad, os.DirFS(src))
	other, _ := os.ReadFile(filepath.Join(bad, "img_celeba", "000119.jpg"))
	os.WriteFile(filepath.Join(bad, "img_celeba", "000010.jpg"), other, 0o644)
	out2 := filepath.Join(t.TempDir(), "hq")
	if code, _, stderr := progan(t, "celebahq", "--quiet", "--only", "17,1234", "-o", out2, bad, bad+"/deltas"); code != 1 ||
		!strings.Contains(stderr, "idx 1234 (000010.jpg): proc_md5 mismatch: got ") || !strings.Contains(stderr, "want f22aa52ace286e1b5afbaac0b45a372e") {
		t.Fatalf("a wrong JPEG: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Fatal("a failed run left output")
	}
	code, stdout, _ = progan(t, "celebahq", "--quiet", "--keep-going", "--only", "17,1234", "-o", out2, bad, bad+"/deltas")
	if code != 0 || !strings.Contains(stdout, "Packed 1 images") || !strings.Contains(stdout, "Skipped 1 of 2") {
		t.Fatalf("--keep-going: exit %d: %s", code, stdout)
	}
}
