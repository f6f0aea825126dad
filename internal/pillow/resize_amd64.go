//go:build amd64 && !purego

package pillow

// resampleColsAVX2 computes n samples (n a multiple of 8) of one output row
// of the column pass: sample i is clip8 of 0.5 plus the sum over taps j of
// in[j·rowLen + i]·w[j]. See resize_amd64.s.
//
//go:noescape
func resampleColsAVX2(out *uint8, in *uint8, rowLen int, w *float32, taps int, n int)

// resampleRowsRGBAVX2 resamples the two RGB rows at in and in + inRow
// (bytes) to the m pixels at out and out + outRow, output pixel xx
// weighting the pixels from start[xx] by w[xx·taps:]. It reads the byte
// after each input pixel. See resize_amd64.s.
//
//go:noescape
func resampleRowsRGBAVX2(out *uint8, outRow int, in *uint8, inRow int, start *int, w *float32, taps int, m int)

// resampleColsFast computes the first samples of output row out of the
// column pass from the input rows in[j·rowLen:] and returns how many it did
// (a multiple of 8; 0 without AVX2).
func resampleColsFast(out, in []uint8, rowLen int, w []float32) int {
	n := len(out) &^ 7
	if !useAVX2 || n == 0 || len(w) == 0 {
		return 0
	}
	_ = in[(len(w)-1)*rowLen+n-1]
	resampleColsAVX2(&out[0], &in[0], rowLen, &w[0], len(w), n)
	return n
}

// resampleRowsRGBFast resamples the rows of the RGB image src into dst
// with the AVX2 kernel, two at a time, up to but not including the pair
// that holds the last row (the kernel reads the byte after each pixel);
// it returns the first row it left to the caller.
func resampleRowsRGBFast(dst, src *Image, c *coeffs) int {
	m := dst.Width
	if !useAVX2 || c.taps == 0 || m == 0 {
		return 0
	}
	for _, s := range c.start {
		if s < 0 || s+c.taps > src.Width {
			return 0
		}
	}
	inRow, outRow := 3*src.Width, 3*dst.Width
	_, _ = c.start[m-1], c.w[m*c.taps-1]
	y := 0
	for ; y+2 < src.Height; y += 2 {
		_ = dst.Pix[(y+1)*outRow+outRow-1]
		_ = src.Pix[(y+2)*inRow] // the byte after row y+1
		resampleRowsRGBAVX2(&dst.Pix[y*outRow], outRow, &src.Pix[y*inRow], inRow, &c.start[0], &c.w[0], c.taps, m)
	}
	return y
}
