package pillow

import (
	"math"
	"testing"
)

//go:noinline
func mulAdd(x, y, z float64) float64 { return x*y + z }

// fusing reports whether this build fuses multiply-adds (arm64,
// GOAMD64=v3), and so compiles math.Sin with fused operations.
func fusing() bool {
	x := 1 + 0x1p-30
	return mulAdd(x, x, -1) != 0x1p-29
}

// TestSin compares sin with math.Sin on the float32 arguments the Lanczos
// kernel uses, u = float32(t·π) for t in (0, 3]: identical where the
// standard library is compiled unfused, within an ulp elsewhere.
func TestSin(t *testing.T) {
	exact := !fusing()
	check := func(t32 float32) {
		u := float64(float32(float64(t32) * math.Pi))
		for _, x := range []float64{u, -u} {
			got, want := sin(x), math.Sin(x)
			if exact && got != want {
				t.Fatalf("sin(%v) = %v, math.Sin = %v", x, got, want)
			}
			if d := math.Abs(got - want); d > math.Abs(want)*0x1p-52 {
				t.Fatalf("sin(%v) = %v, math.Sin = %v: more than an ulp apart", x, got, want)
			}
		}
	}
	// Every 101st float32 in [1e-6, 3], and every one within 2^12 ulps of
	// the kernel's zeros 1, 2 and 3, where sin(u) is smallest.
	lo, hi := math.Float32bits(1e-6), math.Float32bits(3)
	for b := lo; b <= hi; b += 101 {
		check(math.Float32frombits(b))
	}
	for _, k := range []float32{1, 2, 3} {
		b := math.Float32bits(k)
		for d := uint32(0); d <= 1<<12; d++ {
			check(math.Float32frombits(b - d))
			check(math.Float32frombits(b + d))
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), math.NaN()} {
		if got := sin(x); math.Float64bits(got) != math.Float64bits(x) && !(math.IsNaN(x) && math.IsNaN(got)) {
			t.Errorf("sin(%v) = %v", x, got)
		}
	}
	t.Logf("fused multiply-add build: %v", !exact)
}
