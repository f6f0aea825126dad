//go:build openblas

package nn

// With the openblas build tag, gonum's BLAS calls go to OpenBLAS through
// gonum.org/v1/netlib (cgo; Debian: apt-get install libopenblas-dev):
// about 8× the pure-Go Sgemm on these machines (144 against 18 GFLOP/s
// for 1024² matrices). Build with
//
//	go build -tags openblas ./cmd/progan

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

func init() {
	// The layers already spread samples over goroutines; OpenBLAS's own
	// threads on top of them oversubscribe the cores (a 32² training step:
	// 56 s with them, 36 s without).
	C.openblas_set_num_threads(1)
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}
