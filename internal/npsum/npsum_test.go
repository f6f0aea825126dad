package npsum

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/progan/progan/internal/nprand"
)

// TestNumpyFloat32 checks sums against numpy 1.24 itself. The bits were
// printed by
//
//	python3 -c 'import numpy as np; rs=np.random.RandomState(1)
//	for n in [5,8,100,128,129,1000,5000,20000]:
//	    a=(rs.rand(n)*8).astype(np.float32); print(n, a.sum().view(np.uint32))'
//
// and the arrays are drawn again here from the same RandomState stream.
func TestNumpyFloat32(t *testing.T) {
	rs := nprand.New(1)
	for _, c := range []struct {
		n    int
		bits uint32
	}{
		{5, 1095439372}, {8, 1102550862}, {100, 1137609799}, {128, 1140672138},
		{129, 1141711591}, {1000, 1165622190}, {5000, 1184661514}, {20000, 1201429618},
	} {
		a := make([]float32, c.n)
		for i := range a {
			a[i] = float32(rs.Float64() * 8)
		}
		if got := math.Float32bits(Sum(a)); got != c.bits {
			t.Errorf("n=%d: sum bits %d, numpy %d", c.n, got, c.bits)
		}
	}
}

// TestFloat64 checks the float64 sums against a line-by-line transcription
// of NumPy's DOUBLE_pairwise_sum, at every length up to 700, on values of
// mixed magnitude so that the order matters.
func TestFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	blocked := false
	for n := 0; n <= 700; n++ {
		a := make([]float64, n)
		seq := 0.0
		for i := range a {
			a[i] = rng.Float64() * math.Pow(10, float64(rng.IntN(12)))
			seq += a[i]
		}
		want := refPairwise(a)
		if got := Sum(a); got != want {
			t.Fatalf("n=%d: Sum %v, NumPy's algorithm %v", n, got, want)
		}
		blocked = blocked || want != seq
	}
	if !blocked {
		t.Error("no length where the pairwise order changes the sum; the test data is too tame")
	}
}

func refPairwise(a []float64) float64 {
	n := len(a)
	if n < 8 {
		res := 0.0
		for i := 0; i < n; i++ {
			res += a[i]
		}
		return res
	} else if n <= 128 {
		r := [8]float64{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]}
		i := 8
		for ; i < n-(n%8); i += 8 {
			r[0] += a[i+0]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return refPairwise(a[:n2]) + refPairwise(a[n2:])
}
