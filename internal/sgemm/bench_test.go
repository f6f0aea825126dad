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

type benchImpl struct {
	name string
	f    sgemmFunc
}

// benchImpls are the implementations compared: Sgemm with the kernel it
// picks, each assembly kernel forced, and gonum; bench_openblas_test.go
// adds OpenBLAS under the openblas tag (run it with OPENBLAS_NUM_THREADS=1,
// or 2 for OpenBLAS's own threading).
var benchImpls = append(append([]benchImpl{{"sgemm", Sgemm}}, kernelImpls()...),
	benchImpl{"gonum", func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		gonum.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}},
)

// kernelImpls is Sgemm forced onto each assembly kernel of this machine.
func kernelImpls() []benchImpl {
	var l []benchImpl
	for _, im := range impls {
		if !im.asm {
			continue
		}
		l = append(l, benchImpl{im.name, func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			forced = im
			defer func() { forced = nil }()
			Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}})
	}
	return l
}

// The trainer's per-sample products (nn.Conv2D on the CPU): forward
// Wᵀ·col, input gradient W·dy, weight gradient col·dyᵀ, for a 3×3
// convolution with 512 channels at 4×4 and 32×32 and 128 channels at
// 128×128.
var benchShapes = []benchShape{
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

type benchShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

// inceptionShapes are Inception v3's convolutions as im2col products for
// one image: M output channels, N = H·W output pixels, K = input channels
// × kernel height × kernel width (the name is M_N_K).
var inceptionShapes = []benchShape{
	{"32_22201_27", false, false, 32, 22201, 27},
	{"32_21609_288", false, false, 32, 21609, 288},
	{"64_21609_288", false, false, 64, 21609, 288},
	{"80_5329_64", false, false, 80, 5329, 64},
	{"192_5041_720", false, false, 192, 5041, 720},
	{"64_1225_192", false, false, 64, 1225, 192},
	{"96_1225_576", false, false, 96, 1225, 576},
	{"64_1225_1200", false, false, 64, 1225, 1200}, // 5×5 of 48
	{"192_289_768", false, false, 192, 289, 768},
	{"192_289_1120", false, false, 192, 289, 1120}, // 1×7 of 160
	{"320_64_1728", false, false, 320, 64, 1728},
	{"384_64_1152", false, false, 384, 64, 1152},
	{"448_64_2048", false, false, 448, 64, 2048},
	{"fc_1_1008_2048", false, true, 1, 1008, 2048},  // the fc layer as a row: pool features times fc.weightᵀ
	{"fc_1008_1_2048", false, false, 1008, 1, 2048}, // and as a column: fc.weight times the features, as inception computes it
}

// BenchmarkSgemm reports GFLOP/s of each implementation at the trainer's
// shapes, on one goroutine (x1) and on GOMAXPROCS goroutines each doing
// its own product (xP, the way the layers use it).
func BenchmarkSgemm(b *testing.B) { benchTable(b, benchShapes, true) }

// BenchmarkSgemmInception reports GFLOP/s of each implementation at
// Inception v3's shapes, one product at a time.
//
// Measured on a 2-core AMD EPYC (Zen 4, avx512f) that other jobs were also
// using, so the figures are the best of 3 and still rough:
//
//	CGO_LDFLAGS=-lopenblas go test -tags openblas -c -o sob.test ./internal/sgemm
//	OPENBLAS_NUM_THREADS=1 ./sob.test -test.run '^$' -test.bench 'Sgemm/./(sgemm|avx512|avx2|openblas)/x1' -test.benchtime 0.4s -test.count 3
//	OPENBLAS_NUM_THREADS=2 ./sob.test -test.run '^$' -test.bench 'Sgemm/./openblas/x1' -test.benchtime 0.4s -test.count 3
//
//	GFLOP/s        avx512  avx2  openblas 1  openblas 2
//	sq1024           96.5 101.6        99.7       196.8
//	dx32             95.4 103.3        99.1       185.9
//	fwd128           73.6  73.4        84.5       161.3
//	64_21609_288     52.7  39.5        66.7        68.5
//	192_5041_720     80.1  68.7        89.1       171.8
//	96_1225_576      72.6  71.5        98.2       182.8
//	192_289_1120     80.8  80.9        95.0       180.2
//	448_64_2048      96.6  91.0        88.2        89.2
//
// On Zen 4, which runs a 512-bit FMA as two 256-bit halves, both kernels
// peak at the same rate (about 115 GFLOP/s on packed data in L1); the
// AVX-512 one gains where its wider strips of B cut memory traffic.
func BenchmarkSgemmInception(b *testing.B) { benchTable(b, inceptionShapes, false) }

func benchTable(b *testing.B, shapes []benchShape, xP bool) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
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
			if !xP {
				continue
			}
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
