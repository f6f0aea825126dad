package imageset

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/pyramid"
)

func pngBytes(t *testing.T, size int, v byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			img.SetRGBA(x, y, color.RGBA{v, byte(x), byte(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sets writes the same 5 images as a folder, a zip and a dataset.
func sets(t *testing.T) (folder, zipPath, dataset string) {
	root := t.TempDir()
	folder = filepath.Join(root, "imgs")
	os.Mkdir(folder, 0o755)
	zipPath = filepath.Join(root, "imgs.zip")
	zf, _ := os.Create(zipPath)
	zw := zip.NewWriter(zf)
	w, _ := pyramid.Create(filepath.Join(root, "ds"), pyramid.Options{})
	for i := range 5 {
		b := pngBytes(t, 8, byte(10*i))
		name := string(rune('a'+i)) + ".png"
		os.WriteFile(filepath.Join(folder, name), b, 0o644)
		f, _ := zw.Create("pics/" + name)
		f.Write(b)
		img, _ := png.Decode(bytes.NewReader(b))
		if err := w.Add(img, nil); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := zw.Create("pics/notes.txt")
	f.Write([]byte("not an image"))
	zw.Close()
	zf.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return folder, zipPath, filepath.Join(root, "ds")
}

func TestKindsAgree(t *testing.T) {
	folder, zipPath, dataset := sets(t)
	var got [][]byte
	for _, path := range []string{folder, zipPath, dataset} {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Count != 5 {
			t.Fatalf("%s (%s): %d images", path, s.Kind, s.Count)
		}
		var all []byte
		n := 0
		for img, err := range s.Images(context.Background(), 4) {
			if err != nil {
				t.Fatal(err)
			}
			if img.Channels != 3 || img.Size != 8 || img.Pix[0] != byte(10*n) {
				t.Fatalf("%s image %d: %d×%d, first pixel %d", s.Kind, n, img.Channels, img.Size, img.Pix[0])
			}
			all = append(all, img.Pix...)
			n++
		}
		if n != 4 {
			t.Fatalf("%s: %d images for n=4", s.Kind, n)
		}
		got = append(got, all)
		n = 0
		for img, err := range s.Range(context.Background(), 3, 0) {
			if err != nil || img.Pix[0] != byte(10*(3+n)) {
				t.Fatalf("%s Range(3, end) image %d: %v", s.Kind, n, err)
			}
			n++
		}
		if n != 2 {
			t.Fatalf("%s: Range(3, end) gave %d images", s.Kind, n)
		}
		s.Close()
	}
	if !bytes.Equal(got[0], got[1]) || !bytes.Equal(got[0], got[2]) {
		t.Fatal("folder, zip and dataset give different pixels")
	}
}

func TestTierAndErrors(t *testing.T) {
	folder, _, dataset := sets(t)
	s, err := Open(dataset, Options{Tier: 4})
	if err != nil {
		t.Fatal(err)
	}
	for img, err := range s.Images(context.Background(), 0) {
		if err != nil || img.Size != 4 {
			t.Fatalf("tier 4: %v", err)
		}
	}
	s.Close()
	if _, err := Open(dataset, Options{Tier: 2}); err == nil {
		t.Error("tier 2 accepted")
	}
	// --tier is for datasets: a folder (say, generated images scored
	// against a dataset's tier) is read as it is.
	if s, err := Open(folder, Options{Tier: 4}); err != nil || s.Kind != "folder" {
		t.Errorf("--tier with a folder: %v", err)
	} else {
		s.Close()
	}
	os.WriteFile(filepath.Join(folder, "c.png"), []byte("broken"), 0o644)
	s, _ = Open(folder, Options{})
	var last error
	for _, err := range s.Images(context.Background(), 0) {
		last = err
	}
	if last == nil || !strings.Contains(last.Error(), "c.png") {
		t.Fatalf("broken file: %v", last)
	}
	txt := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(txt, nil, 0o644)
	if _, err := Open(txt, Options{}); err == nil {
		t.Error("a .txt file accepted")
	}
}
