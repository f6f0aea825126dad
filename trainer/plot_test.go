package trainer

import (
	"image/color"
	"testing"
)

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ v, want float64 }{
		{30, 10}, {153, 50}, {1, 0.2}, {0, 1}, {7, 2}, {0.04, 0.01},
	} {
		if got := niceStep(tc.v); got != tc.want {
			t.Errorf("niceStep(%g) = %g, want %g", tc.v, got, tc.want)
		}
	}
}

// TestDrawSWD checks that the curve is drawn: dark pixels of the average
// line near its points, and the plot area's corners left white.
func TestDrawSWD(t *testing.T) {
	pts := []swdPoint{{Kimg: 0, Avg: 150, Levels: []float64{160, 140}}, {Kimg: 10, Avg: 50, Levels: []float64{60, 40}}, {Kimg: 30, Avg: 40, Levels: []float64{45, 35}}}
	img := drawSWD(pts, []int{32, 16})
	b := img.Bounds()
	if b.Dx() != 720 || b.Dy() != 420 {
		t.Fatalf("size %v", b)
	}
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.R < 64 && c.G < 64 && c.B < 64 {
				dark++
			}
		}
	}
	if dark < 1000 {
		t.Errorf("%d dark pixels: no curve, axes or labels?", dark)
	}
	if c := img.RGBAAt(b.Max.X-1, b.Max.Y-1); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("corner %v, want white", c)
	}
}
