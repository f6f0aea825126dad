//go:build !amd64 || purego

package ndfilter

const (
	useAVX2   = false
	useAVX512 = false
)

func correlatePanel(dst []float32, dstStep int, buf []float64, c0 int, w []float64, rows int) {
	panic("ndfilter: no AVX2 kernel in this build")
}
