//go:build openblas

// Run with CGO_LDFLAGS=-lopenblas OPENBLAS_NUM_THREADS=1 (one thread per
// call, as nn sets it), or 2 for OpenBLAS's own threading.

package sgemm

import "gonum.org/v1/netlib/blas/netlib"

func init() {
	benchImpls = append(benchImpls, benchImpl{"openblas", func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		netlib.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}})
}
