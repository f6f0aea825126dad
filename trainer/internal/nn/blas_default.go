//go:build !openblas

package nn

import "github.com/progan/progan/internal/sgemm"

// Without the openblas tag, float32 products use internal/sgemm's
// assembly kernel where the CPU has one (AVX2+FMA); elsewhere gonum's
// pure Go Sgemm, which beats sgemm's portable fallback, stays in use.
func init() {
	useSgemm = sgemm.Accelerated()
}
