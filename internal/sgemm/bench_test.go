package sgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type sgemmFunc func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// benchImpls are the implementations compared; bench_openblas_test.go adds
// OpenBLAS under the openblas tag (run it with OPENBLAS_NUM_THREADS=1).
var benchImpls = []struct {
	name string
	f    sgemmFunc
}{
	{"sgemm", Sgemm},
	{"gonum", func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		gonum.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}},
}

// The trainer's per-sample products (nn.Conv2D on the CPU): forward
// Wᵀ·col, input gradient W·dy, weight gradient col·dyᵀ, for a 3×3
// convolution with 512 channels at 4×4 and 32×32 and 128 channels at
// 128×128.
var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"fwd4", true, false, 512, 16, 4608},
	{"dx4", false, false, 4608, 16, 512},
	{"dw4", false, true, 4608, 512, 16},
	{"fwd32", true, false, 512, 1024, 4608},
	{"dx32", false, false, 4608, 1024, 512},
	{"dw32", false, true, 4608, 512, 1024},
	{"fwd128", true, false, 128, 16384, 1152},
	{"dx128", false, false, 1152, 16384, 128},
	{"dw128", false, true, 1152, 128, 16384},
	{"sq1024", false, false, 1024, 1024, 1024},
}

// BenchmarkSgemm reports GFLOP/s of each implementation at the trainer's
// shapes, on one goroutine (x1) and on GOMAXPROCS goroutines each doing
// its own product (xP, the way the layers use it).
func BenchmarkSgemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		a, bb := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n)
		flop := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		for _, im := range benchImpls {
			b.Run(fmt.Sprintf("%s/%s/x1", s.name, im.name), func(b *testing.B) {
				c := make([]float32, s.m*s.n)
				for b.Loop() {
					im.f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				}
				b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run(fmt.Sprintf("%s/%s/xP", s.name, im.name), func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					c := make([]float32, s.m*s.n)
					for pb.Next() {
						im.f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
					}
				})
				b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
