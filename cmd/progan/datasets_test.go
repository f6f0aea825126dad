package main

import (
	"archive/zip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
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
	const src = "../../internal/mnist/testdata"
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
	const src = "../../internal/mnist/testdata"
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
	os.CopyFS(src, os.DirFS("../../internal/celeba/testdata"))
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
