package trainer

import (
	"context"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/progan/progan/pyramid"
)

// TestLearn trains a small network (16×16, 32 channels) on the bundled
// synthetic shapes for 30 kimg (3750 steps) and requires the SWD of Gs samples
// against the reals to fall well below its starting value. It takes
// several minutes on two cores, so it runs only with PROGAN_LEARN=1;
// PROGAN_LEARN_OUT=DIR keeps the run folder.
//
//	PROGAN_LEARN=1 go test -run Learn -v -timeout 30m ./trainer/
func TestLearn(t *testing.T) {
	if os.Getenv("PROGAN_LEARN") == "" {
		t.Skip("set PROGAN_LEARN=1 to train for several minutes")
	}
	ds := packImages(t, filepath.Join("..", "testdata", "images"))
	out := os.Getenv("PROGAN_LEARN_OUT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "run")
	}
	cfg := LearnConfig(ds, out)
	cfg.Log = func(s string) { t.Log(s) }
	if err := Train(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	m, err := readCheckpoint(filepath.Join(out, FinalFile))
	if err != nil {
		t.Fatal(err)
	}
	curve := m.state.SWD
	t.Log("kimg  SWD×1e3 (16×16)")
	for _, p := range curve {
		t.Logf("%5.1f  %6.1f", p.Kimg, p.Avg)
	}
	first, last := curve[0].Avg, curve[len(curve)-1].Avg
	if last > first/2 {
		t.Errorf("SWD went from %.1f to %.1f, want below half", first, last)
	}
}

// packImages packs the PNG and JPEG files of dir, 64×64, into an RGB dataset in
// name order.
func packImages(t *testing.T, dir string) string {
	t.Helper()
	png, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	jpg, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	names := append(png, jpg...)
	if err != nil || len(names) == 0 {
		t.Fatalf("no images in %s: %v", dir, err)
	}
	sort.Strings(names)
	out := filepath.Join(t.TempDir(), "shapes")
	w, err := pyramid.Create(out, pyramid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// A few of the images are gray: make all RGB.
		rgb := image.NewRGBA(img.Bounds())
		draw.Draw(rgb, rgb.Rect, img, img.Bounds().Min, draw.Src)
		if err := w.Add(rgb, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}
