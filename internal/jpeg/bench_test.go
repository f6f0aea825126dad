package jpeg_test

import (
	"bytes"
	stdjpeg "image/jpeg"
	"os"
	"testing"

	"github.com/progan/progan/internal/jpeg"
)

// BenchmarkDecode compares this package with Go's image/jpeg on the two
// largest fixture files and reports megapixels per second.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"celebahq_000119.jpg", "celebahq_000151.jpg", "celebahq_000204.jpg"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		mp := float64(cfg.Width*cfg.Height) / 1e6
		b.Run("jpeg8d/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, _, _, err := jpeg.DecodeRGB(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(mp*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
		})
		b.Run("image-jpeg/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := stdjpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(mp*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
		})
	}
}
