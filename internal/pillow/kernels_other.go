//go:build !amd64 || purego

package pillow

const useAVX2 = false

type warpConsts struct {
	dxy, dyy, fy float64
	limX, limY   float64
	half         float64
}

func warpRGBFast(orow []uint8, src *Image, bx, cx, by, cy []float64, k *warpConsts, x int) int {
	panic("pillow: no AVX2 kernel in this build")
}

func resampleColsFast(out, in []uint8, rowLen int, w []float32) int { return 0 }

func resampleRowsRGBFast(dst, src *Image, c *coeffs) int { return 0 }
