package jpeg_test

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/progan/progan/internal/jpeg"
)

// FuzzDecode checks that no input makes the decoder panic, loop or
// allocate beyond what its frame header announces, and that successful
// decodes are self-consistent.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 5000 {
			continue // keep the corpus quick to mutate
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			if _, _, _, _, err2 := jpeg.DecodeRGB(data); err2 == nil {
				t.Fatalf("DecodeConfig failed (%v) but DecodeRGB succeeded", err)
			}
			return
		}
		// Bound the work: pixel memory and, for progressive files, the
		// per-scan passes over every block grow with the announced size.
		if cfg.Width*cfg.Height > 1<<18 {
			return
		}
		pix, w, h, c, err := jpeg.DecodeRGB(data)
		if err != nil {
			return
		}
		if w != cfg.Width || h != cfg.Height || len(pix) != w*h*c || (c != 1 && c != 3) {
			t.Fatalf("DecodeRGB gave %dx%dx%d with %d bytes, DecodeConfig %dx%d", w, h, c, len(pix), cfg.Width, cfg.Height)
		}
		if _, tw, th, tc, err := jpeg.DecodeRGBOptions(data, &jpeg.Options{Turbo: true}); err == nil && (tw != w || th != h || tc != c) {
			t.Fatalf("turbo variant gave %dx%dx%d, 8d %dx%dx%d", tw, th, tc, w, h, c)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("DecodeRGB succeeded but Decode failed: %v", err)
		}
		if img.Bounds() != image.Rect(0, 0, w, h) {
			t.Fatalf("Decode bounds %v, want %dx%d", img.Bounds(), w, h)
		}
	})
}
