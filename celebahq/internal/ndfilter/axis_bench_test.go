package ndfilter

import "testing"

func benchAxis(b *testing.B, axis int, fast bool) {
	if fast && !useAVX2 {
		b.Skip("no AVX2")
	}
	old := useAVX2
	defer func() { setAVX2(old) }()
	setAVX2(fast)
	const wd, h, c = 2647, 2648, 3
	src := make([]float32, wd*h*c)
	for i := range src {
		src[i] = float32(i % 251)
	}
	dst := make([]float32, len(src))
	w := halfKernel(42.712060546875, GaussianRadius(42.712060546875))
	for b.Loop() {
		if axis == 0 {
			correlateAxis0(dst, f32Rows{src, wd * c}, wd*c, h, w)
		} else {
			correlateAxis1(dst, src, wd, h, c, w, nil)
		}
	}
}

func BenchmarkAxis0Go(b *testing.B)   { benchAxis(b, 0, false) }
func BenchmarkAxis0Fast(b *testing.B) { benchAxis(b, 0, true) }
func BenchmarkAxis1Go(b *testing.B)   { benchAxis(b, 1, false) }
func BenchmarkAxis1Fast(b *testing.B) { benchAxis(b, 1, true) }
