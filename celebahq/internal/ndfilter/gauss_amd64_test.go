//go:build amd64 && !purego

package ndfilter

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// need skips a test or benchmark of a kernel the CPU cannot run.
func need(tb testing.TB, avx512 bool) {
	tb.Helper()
	if !cpu.X86.HasAVX2 || avx512 && !cpu.X86.HasAVX512F {
		tb.Skip("the CPU lacks the kernel's instructions")
	}
}

func kernelData(rows int) ([]float64, []float64) {
	w := halfKernel(42.712060546875, 171)
	buf := make([]float64, (rows+2*171)*16)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range buf {
		buf[i] = rnd.Float64() * 255
	}
	return w, buf
}

// TestPairsKernel checks the two-row kernel against the one-row kernel
// for radii 0 … 3 (odd and even) and large ones.
func TestPairsKernel(t *testing.T) {
	need(t, false)
	for _, r := range []int{0, 1, 2, 3, 170, 171} {
		w := halfKernel(float64(r)/4+0.01, r)
		if len(w)-1 != r {
			t.Fatalf("radius %d, want %d", len(w)-1, r)
		}
		rows := 10
		buf := make([]float64, (rows+2*r)*16)
		rnd := rand.New(rand.NewPCG(1, uint64(r)))
		for i := range buf {
			buf[i] = rnd.Float64() * 255
		}
		want := make([]float32, rows*16)
		got := make([]float32, rows*16)
		correlateAVX2(&want[0], 64, &buf[r*16], 128, 128, &w[0], r, rows)
		correlatePairsAVX2(&got[0], 64, &buf[r*16], 128, &w[0], r, rows/2)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("r %d: output %d = %v, want %v", r, i, got[i], want[i])
			}
		}
	}
}

// The kernels on a panel in the L1 cache, in ns per pair of samples.
func BenchmarkKernelSingle(b *testing.B) {
	need(b, false)
	w, buf := kernelData(256)
	dst := make([]float32, 256*16)
	for b.Loop() {
		correlateAVX2(&dst[0], 64, &buf[171*16], 128, 128, &w[0], 171, 256)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*171*16), "ns/pair")
}

func BenchmarkKernelPairs(b *testing.B) {
	need(b, false)
	w, buf := kernelData(256)
	dst := make([]float32, 256*16)
	for b.Loop() {
		correlatePairsAVX2(&dst[0], 64, &buf[171*16], 128, &w[0], 171, 128)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*171*16), "ns/pair")
}

// TestKernels512 checks the AVX-512 two-row kernel against the AVX2 one-row
// kernel.
func TestKernels512(t *testing.T) {
	need(t, true)
	for _, r := range []int{0, 1, 2, 3, 170, 171} {
		w := halfKernel(float64(r)/4+0.01, r)
		rows := 10
		buf := make([]float64, (rows+2*r)*32)
		rnd := rand.New(rand.NewPCG(1, uint64(r)))
		for i := range buf {
			buf[i] = rnd.Float64() * 255
		}
		want := make([]float32, rows*16)
		got := make([]float32, rows*16)
		correlateAVX2(&want[0], 64, &buf[r*16], 128, 128, &w[0], r, rows)
		correlatePairs512(&got[0], 64, &buf[r*16], 128, &w[0], r, rows/2)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("pairs r %d: output %d = %v, want %v", r, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkKernelPairs512(b *testing.B) {
	need(b, true)
	w, buf := kernelData(256)
	dst := make([]float32, 256*16)
	for b.Loop() {
		correlatePairs512(&dst[0], 64, &buf[171*16], 128, &w[0], 171, 128)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*171*16), "ns/pair")
}
