package msssim

import (
	"math"
	"testing"

	"github.com/progan/progan/planar"
)

// TestSeparable checks that the outer product of the 1-D kernel is the
// oracle's 2-D window, exp(-(x²+y²)/2σ²) normalised over the square, for
// every window size used (1..11).
func TestSeparable(t *testing.T) {
	worst := 0.0
	for k := 1; k <= filterSize; k++ {
		g := gauss(k)
		sigma := float64(k) * filterSigma / filterSize
		ax := make([]float64, k)
		for i := range ax {
			ax[i] = float64(i - k/2)
			if k%2 == 0 {
				ax[i] += 0.5
			}
		}
		w := make([]float64, k*k)
		var sum float64
		for i, y := range ax {
			for j, x := range ax {
				w[i*k+j] = math.Exp(-(x*x + y*y) / (2.0 * sigma * sigma))
				sum += w[i*k+j]
			}
		}
		for i := range k {
			for j := range k {
				d := math.Abs(g[i]*g[j] - w[i*k+j]/sum)
				worst = max(worst, d)
			}
		}
	}
	if worst > 1e-15 {
		t.Errorf("separable kernel differs from the 2-D window by %.3g", worst)
	}
	t.Logf("max |outer(g,g) - window| = %.3g", worst)
}

// TestNoAllocs: a warm worker scores a pair without allocating.
func TestNoAllocs(t *testing.T) {
	a := &struct{ s scratch }{}
	x, y := testImage(64, 1), testImage(64, 2)
	a.s.pair(x, y)
	if n := testing.AllocsPerRun(5, func() { a.s.pair(x, y) }); n != 0 {
		t.Errorf("%v allocations per pair", n)
	}
}

func testImage(size, seed int) *planar.Image {
	m := planar.NewImage(3, size)
	for i := range m.Pix {
		m.Pix[i] = byte((i*7 + seed*31 + (i/size)*(i%size)%17) % 256)
	}
	return m
}
