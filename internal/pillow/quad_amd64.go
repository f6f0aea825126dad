//go:build amd64 && !purego

package pillow

import "golang.org/x/sys/cpu"

// useAVX2 reports whether the AVX2 kernels may run.
var useAVX2 = cpu.X86.HasAVX2

// warpConsts are the per-row constants of warpRGBAVX2, in this order.
type warpConsts struct {
	dxy, dyy, fy float64 // a2·y, a6·y and y of the row
	limX, limY   float64 // W − 1 and H − 2: bounds of the shifted point
	half         float64 // 0.5
}

// warpRGBAVX2 warps output pixels x = 0, 4, … of one row in groups of four
// (n is a multiple of 4) while every pixel of a group is interior: its
// shifted source point (xin − 0.5, yin − 0.5) = (u, v) has 0 ≤ u < W−1 and
// 0 ≤ v < H−2, so that the four taps need no clamping (and reading 4 bytes
// at each stays inside src). It returns the number of pixels it wrote,
// stopping before the first group that is not interior. The arithmetic is
// warpRGB's, lane by lane, each operation rounded on its own. See
// quad_amd64.s.
//
//go:noescape
func warpRGBAVX2(out *uint8, src *uint8, rowLen int, bx, cx, by, cy *float64, k *warpConsts, n int) int

// warpRGBFast runs warpRGBAVX2 from pixel x of an output row and returns
// the new x; ok is false when the kernel cannot run at all.
func warpRGBFast(orow []uint8, src *Image, bx, cx, by, cy []float64, k *warpConsts, x int) int {
	n := (len(bx) - x) &^ 3
	if n == 0 {
		return x
	}
	_ = orow[3*(x+n)-1]
	_, _, _ = cx[x+n-1], by[x+n-1], cy[x+n-1]
	return x + warpRGBAVX2(&orow[3*x], &src.Pix[0], 3*src.Width, &bx[x], &cx[x], &by[x], &cy[x], k, n)
}
