package ndfilter

import "testing"

// BenchmarkGaussianFilterPad filters a 2647×2648×3 float32 image with σ 42.7
// (kernel radius 171), the size and blur of fixture idx 29999's pad branch.
func BenchmarkGaussianFilterPad(b *testing.B) {
	m := NewImage(2647, 2648, 3)
	for i := range m.Pix {
		m.Pix[i] = float32(i % 251)
	}
	for b.Loop() {
		if _, err := GaussianFilter(m, 42.712060546875, 42.712060546875); err != nil {
			b.Fatal(err)
		}
	}
}

// The same with the AVX2 kernels where the CPU also has AVX-512, and with
// the portable Go loops.
func BenchmarkGaussianFilterPadAVX2(b *testing.B) {
	defer setAVX2(true)
	setAVX512(false)
	BenchmarkGaussianFilterPad(b)
}

func BenchmarkGaussianFilterPadGo(b *testing.B) {
	defer setAVX2(true)
	setAVX2(false)
	BenchmarkGaussianFilterPad(b)
}

func BenchmarkGaussianFilterAVX2(b *testing.B) {
	defer setAVX2(true)
	setAVX512(false)
	BenchmarkGaussianFilter(b)
}

func BenchmarkPadBlendAVX2(b *testing.B) {
	defer setAVX2(true)
	setAVX512(false)
	BenchmarkPadBlend(b)
}
