package ndfilter

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGaussianFastMatchesGo filters random images of awkward shapes (odd
// heights, widths that leave partial panels, several bands, radii beyond
// the image) with the portable Go loops, the AVX2 kernels and the AVX-512
// ones where the CPU has them; the bits must agree.
func TestGaussianFastMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no fast kernel in this build or on this CPU")
	}
	defer setAVX2(true)
	rnd := rand.New(rand.NewPCG(3, 4))
	for it := range 60 {
		w, h, c := 1+rnd.IntN(70), 1+rnd.IntN(70), 1+rnd.IntN(3)
		switch it % 10 {
		case 0:
			w, h = 300+rnd.IntN(40), 260+rnd.IntN(30)
		case 5: // several bands of the axis-0 pass
			w, h = 1+rnd.IntN(30), 2*bandPanels+rnd.IntN(100)
		}
		m := NewImage(w, h, c)
		for i := range m.Pix {
			m.Pix[i] = float32(rnd.NormFloat64() * 100)
		}
		sy, sx := rnd.Float64()*12, rnd.Float64()*12
		if it%5 == 1 {
			sy = 0
		}
		setAVX2(false)
		want, err := GaussianFilter(m, sy, sx)
		if err != nil {
			t.Fatal(err)
		}
		for _, wide := range []bool{false, true} {
			setAVX2(true)
			setAVX512(wide)
			got, err := GaussianFilter(m, sy, sx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want.Pix {
				if math.Float32bits(got.Pix[i]) != math.Float32bits(want.Pix[i]) {
					t.Fatalf("%d×%d×%d, σ (%v, %v), AVX-512 %v: sample %d = %v, want %v", h, w, c, sy, sx, wide, i, got.Pix[i], want.Pix[i])
				}
			}
		}
	}
}
