package pillow

import (
	"fmt"
	"math"
)

// Quad returns the width×height image that Pillow 3.1.1's
// src.transform((width, height), QUAD, quad, BILINEAR) returns, for quad
// given as numpy float32 values (x, y of the NW, SW, SE and NE corners; the
// CelebA-HQ builder passes (quad + 0.5).flatten()).
//
// Image.py turns the corners into eight map coefficients, taking the corner
// differences in float32 and scaling them by 1/width and 1/height in
// float64. Geometry.c then maps the output pixel at integer position (x, y)
// (not its centre) to the source point
//
//	xin = a0 + a1·x + a2·y + a3·x·y,  yin = a4 + a5·x + a6·y + a7·x·y
//
// in float64. A point outside [0, W)×[0, H) of the source gives a black
// pixel. Otherwise the source is sampled bilinearly at (xin − 0.5, yin −
// 0.5): columns beyond the edges are clamped, a missing lower row repeats
// the upper one, the rows are interpolated horizontally and the results
// vertically, and the value is truncated to an integer.
//
// Quad panics if width or height is less than 1.
func Quad(src *Image, width, height int, quad [8]float32) *Image {
	src.check()
	if width < 1 || height < 1 {
		panic(fmt.Sprintf("pillow: invalid transform size %dx%d", width, height))
	}

	// PIL/Image.py: float32 differences (numpy scalars), float64 scaling.
	nwx, nwy := quad[0], quad[1]
	swx, swy := quad[2], quad[3]
	sex, sey := quad[4], quad[5]
	nex, ney := quad[6], quad[7]
	as, at := 1/float64(width), 1/float64(height)
	a0 := float64(nwx)
	a1 := float64(float32(nex-nwx)) * as
	a2 := float64(float32(swx-nwx)) * at
	a3 := float64(float32(float32(float32(sex-swx)-nex)+nwx)) * as * at
	a4 := float64(nwy)
	a5 := float64(float32(ney-nwy)) * as
	a6 := float64(float32(swy-nwy)) * at
	a7 := float64(float32(float32(float32(sey-swy)-ney)+nwy)) * as * at

	// Geometry.c evaluates ((a0 + a1·x) + a2·y) + (a3·x)·y. The terms that
	// depend on x alone are the same in every row.
	bx := make([]float64, width) // a0 + a1·x
	cx := make([]float64, width) // a3·x
	by := make([]float64, width) // a4 + a5·x
	cy := make([]float64, width) // a7·x
	for x := range width {
		fx := float64(x)
		bx[x] = a0 + float64(a1*fx)
		cx[x] = float64(a3 * fx)
		by[x] = a4 + float64(a5*fx)
		cy[x] = float64(a7 * fx)
	}

	out := New(width, height, src.Channels)
	if src.Channels == 3 {
		warpRGB(out, src, bx, cx, by, cy, a2, a6)
	} else {
		warpGray(out, src, bx, cx, by, cy, a2, a6)
	}
	return out
}

// u8d converts a sample to float64 by table lookup. The differences of two
// entries are the exact integer differences Geometry.c converts.
var u8d = func() (t [256]float64) {
	for i := range t {
		t[i] = float64(i)
	}
	return
}()

// lerp is Geometry.c's BILINEAR macro, a + (b − a)·d, on samples already
// converted to float64 (b − a is an exact small integer).
func lerp(a, b, d float64) float64 {
	return a + float64((b-a)*d)
}

// taps locates the bilinear taps of the source point (xin, yin), which
// must lie in [0, W)×[0, H): the offsets in src.Pix of the top and bottom
// rows (the same row when the bottom one is missing), the offsets within a
// row of the clamped columns x0 and x1, and the fractions dx and dy.
func taps(src *Image, xin, yin float64) (top, bot, x0, x1 int, dx, dy float64) {
	W, H, ch := src.Width, src.Height, src.Channels
	xin -= 0.5
	yin -= 0.5
	xi, yi := floor(xin), floor(yin)
	dx = xin - float64(xi)
	dy = yin - float64(yi)
	if uint(xi) < uint(W-1) {
		x0 = xi * ch
		x1 = x0 + ch
	} else {
		x0 = clampIndex(xi, W) * ch
		x1 = clampIndex(xi+1, W) * ch
	}
	rowLen := W * ch
	if uint(yi) < uint(H-1) {
		top = yi * rowLen
		bot = top + rowLen
	} else {
		top = clampIndex(yi, H) * rowLen
		bot = top
		if yi+1 >= 0 && yi+1 < H {
			bot = (yi + 1) * rowLen
		}
	}
	return
}

// warpRGB and warpGray fill out with the bilinear samples of src at the
// map xin = (bx[x] + a2·y) + cx[x]·y, yin = (by[x] + a6·y) + cy[x]·y.
// Points outside the source leave their pixel black.
func warpRGB(out, src *Image, bx, cx, by, cy []float64, a2, a6 float64) {
	if useAVX2 && src.Width >= 2 && src.Height >= 3 && int64(len(src.Pix)) < 1<<31 {
		warpRGBRows(out, src, bx, cx, by, cy, a2, a6)
		return
	}
	fW, fH := float64(src.Width), float64(src.Height)
	width := out.Width
	bx, cx, by, cy = bx[:width], cx[:width], by[:width], cy[:width]
	for y := range out.Height {
		fy := float64(y)
		dxy, dyy := float64(a2*fy), float64(a6*fy)
		orow := out.Pix[y*width*3:][:width*3]
		for x := range bx {
			xin := float64(bx[x]+dxy) + float64(cx[x]*fy)
			yin := float64(by[x]+dyy) + float64(cy[x]*fy)
			warpPixelRGB(orow[3*x:3*x+3:3*x+3], src, xin, yin, fW, fH)
		}
	}
}

// warpRGBRows is warpRGB with the AVX2 kernel, which does runs of
// interior pixels (see warpRGBAVX2); it leaves the pixels near and beyond
// the source's edges to warpPixelRGB.
func warpRGBRows(out, src *Image, bx, cx, by, cy []float64, a2, a6 float64) {
	fW, fH := float64(src.Width), float64(src.Height)
	width := out.Width
	bx, cx, by, cy = bx[:width], cx[:width], by[:width], cy[:width]
	for y := range out.Height {
		fy := float64(y)
		dxy, dyy := float64(a2*fy), float64(a6*fy)
		orow := out.Pix[y*width*3:][:width*3]
		k := warpConsts{dxy: dxy, dyy: dyy, fy: fy, limX: fW - 1, limY: fH - 2, half: 0.5}
		for x := 0; x < width; {
			x = warpRGBFast(orow, src, bx, cx, by, cy, &k, x)
			// The group that stopped the kernel, or the last pixels.
			for stop := min(x+4, width); x < stop; x++ {
				xin := float64(bx[x]+dxy) + float64(cx[x]*fy)
				yin := float64(by[x]+dyy) + float64(cy[x]*fy)
				warpPixelRGB(orow[3*x:3*x+3:3*x+3], src, xin, yin, fW, fH)
			}
		}
	}
}

// warpPixelRGB sets the RGB pixel o to the sample of src at (xin, yin) if
// that point lies inside the source.
func warpPixelRGB(o []uint8, src *Image, xin, yin, fW, fH float64) {
	if !(xin >= 0 && xin < fW && yin >= 0 && yin < fH) {
		return
	}
	pix := src.Pix
	t, b, x0, x1, dx, dy := taps(src, xin, yin)
	p, q := pix[t+x0:t+x0+3:t+x0+3], pix[t+x1:t+x1+3:t+x1+3]
	r, s := pix[b+x0:b+x0+3:b+x0+3], pix[b+x1:b+x1+3:b+x1+3]
	t0 := lerp(u8d[p[0]], u8d[q[0]], dx)
	t1 := lerp(u8d[p[1]], u8d[q[1]], dx)
	t2 := lerp(u8d[p[2]], u8d[q[2]], dx)
	b0 := lerp(u8d[r[0]], u8d[s[0]], dx)
	b1 := lerp(u8d[r[1]], u8d[s[1]], dx)
	b2 := lerp(u8d[r[2]], u8d[s[2]], dx)
	o = o[:3]
	o[0] = uint8(int(lerp(t0, b0, dy)))
	o[1] = uint8(int(lerp(t1, b1, dy)))
	o[2] = uint8(int(lerp(t2, b2, dy)))
}

func warpGray(out, src *Image, bx, cx, by, cy []float64, a2, a6 float64) {
	fW, fH := float64(src.Width), float64(src.Height)
	pix := src.Pix
	width := out.Width
	bx, cx, by, cy = bx[:width], cx[:width], by[:width], cy[:width]
	for y := range out.Height {
		fy := float64(y)
		dxy, dyy := float64(a2*fy), float64(a6*fy)
		orow := out.Pix[y*width:][:width]
		for x := range bx {
			xin := float64(bx[x]+dxy) + float64(cx[x]*fy)
			yin := float64(by[x]+dyy) + float64(cy[x]*fy)
			if !(xin >= 0 && xin < fW && yin >= 0 && yin < fH) {
				continue
			}
			t, b, x0, x1, dx, dy := taps(src, xin, yin)
			v1 := lerp(u8d[pix[t+x0]], u8d[pix[t+x1]], dx)
			v2 := lerp(u8d[pix[b+x0]], u8d[pix[b+x1]], dx)
			orow[x] = uint8(int(lerp(v1, v2, dy)))
		}
	}
}

// floor is Geometry.c's FLOOR: truncation for v ≥ 0, floor below.
func floor(v float64) int {
	if v < 0 {
		return int(math.Floor(v))
	}
	return int(v)
}

// clampIndex is Geometry.c's XCLIP/YCLIP.
func clampIndex(i, n int) int {
	if i < 0 {
		return 0
	}
	if i < n {
		return i
	}
	return n - 1
}
