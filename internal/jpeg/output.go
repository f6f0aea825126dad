package jpeg

// Colour conversion tables of jdcolor.c build_ycc_rgb_table (SCALEBITS 16):
// R = Y + crR[Cr], G = Y + (cbG[Cb] + crG[Cr]) >> 16, B = Y + cbB[Cb].
var crR, cbB, crG, cbG = func() (crR, cbB, crG, cbG [256]int32) {
	const (
		scaleBits = 16
		oneHalf   = 1 << (scaleBits - 1)
		fix1_402  = 91881  // FIX(1.40200)
		fix1_772  = 116130 // FIX(1.77200)
		fix0_714  = 46802  // FIX(0.71414)
		fix0_344  = 22554  // FIX(0.34414)
	)
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (fix1_402*x + oneHalf) >> scaleBits
		cbB[i] = (fix1_772*x + oneHalf) >> scaleBits
		crG[i] = -fix0_714 * x
		cbG[i] = -fix0_344*x + oneHalf
	}
	return
}()

// clamp is sample_range_limit: clamp[x+clampOff] = x limited to 0..255.
const clampOff = 384

var clamp = func() (t [1024]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-clampOff, 0), 255))
	}
	return t
}()

// idctBlock inverse-transforms block (bx, by) of component c into the
// component's strip (single-pass mode).
func (d *decoder) idctBlock(c *component, b *[64]int16, bx, by int) {
	stride := d.stripStride[c.idx]
	if !d.turbo {
		by %= c.v
	}
	off := by*c.dctH*stride + bx*c.dctW
	idct(b, c.qt, c.dctW, c.dctH, d.strips[c.idx][off:], stride)
}

// outputFromCoefficients runs the output pass of the coefficient-buffer
// mode (jdcoefct.c decompress_data / decompress_smooth_data) once the whole
// file has been read.
func (d *decoder) outputFromCoefficients() error {
	smooth := d.smoothingOK()
	if d.turbo && d.turboSmoothing() {
		return UnsupportedError("libjpeg-turbo's block smoothing of an incompletely refined progressive image")
	}
	var work [64]int16
	for r := 0; r < d.mcusY; r++ {
		for i := range d.comps {
			c := &d.comps[i]
			q := c.qt
			if q == nil {
				// A component without any scan: libjpeg's IDCT multiplier
				// table stays zero, so every sample is 128.
				q = &zeroQuant
			}
			stride := d.stripStride[i]
			strip := d.strips[i]
			base := r * c.v
			if d.turbo {
				base = 0
			}
			for by := r * c.v; by < min((r+1)*c.v, c.bh); by++ {
				row := (by - base) * c.dctH * stride
				for bx := 0; bx < c.bw; bx++ {
					off := (by*c.bwAlloc + bx) * 64
					b := (*[64]int16)(c.coefs[off : off+64])
					if smooth {
						d.smoothBlock(c, bx, by, b, &work)
						b = &work
					}
					idct(b, q, c.dctW, c.dctH, strip[row+bx*c.dctW:], stride)
				}
			}
		}
		if !d.turbo {
			d.emitRow(r)
		}
	}
	return nil
}

var zeroQuant [64]uint16

// emitRow converts iMCU row r of the strips to output pixels (jdsample.c
// fullsize_upsample/int_upsample replication plus jdcolor.c conversion).
func (d *decoder) emitRow(r int) {
	y0 := r * d.maxV * 8
	y1 := min(y0+d.maxV*8, d.height)
	w := d.width
	var rows [3][]byte
	for y := y0; y < y1; y++ {
		out := d.pix[y*d.outStride : (y+1)*d.outStride]
		fast := true
		for i := range d.comps {
			c := &d.comps[i]
			local := y/c.expV - r*c.v*c.dctH
			stride := d.stripStride[i]
			rows[i] = d.strips[i][local*stride : (local+1)*stride]
			if c.expH != 1 {
				fast = false
			}
		}
		if !fast {
			// Replicate samples horizontally into full-width rows.
			for i := range d.comps {
				c := &d.comps[i]
				if c.expH == 1 {
					continue
				}
				full := make([]byte, w)
				for x := range full {
					full[x] = rows[i][x/c.expH]
				}
				rows[i] = full
			}
		}
		switch {
		case d.outChannels == 1:
			copy(out, rows[0][:w])
		case d.ycc && !d.rgba:
			yccRow(out[:3*w], rows[0][:w], rows[1][:w], rows[2][:w])
		case d.ycc:
			yccRowRGBA(out[:4*w], rows[0][:w], rows[1][:w], rows[2][:w])
		case !d.rgba:
			for x := 0; x < w; x++ {
				out[3*x], out[3*x+1], out[3*x+2] = rows[0][x], rows[1][x], rows[2][x]
			}
		default:
			for x := 0; x < w; x++ {
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = rows[0][x], rows[1][x], rows[2][x], 255
			}
		}
	}
}

// yccRow is ycc_rgb_convert for one row.
func yccRow(out, ys, cbs, crs []byte) {
	n := len(ys)
	cbs = cbs[:n]
	crs = crs[:n]
	for x, i := 0, 0; x < n && i+2 < len(out); x, i = x+1, i+3 {
		y := int32(ys[x]) + clampOff
		cb, cr := cbs[x], crs[x]
		o := (*[3]byte)(out[i : i+3])
		o[0] = clamp[(y+crR[cr])&1023]
		o[1] = clamp[(y+(cbG[cb]+crG[cr])>>16)&1023]
		o[2] = clamp[(y+cbB[cb])&1023]
	}
}

// yccRowRGBA is yccRow with a fourth, opaque alpha byte per pixel.
func yccRowRGBA(out, ys, cbs, crs []byte) {
	n := len(ys)
	cbs = cbs[:n]
	crs = crs[:n]
	for x, i := 0, 0; x < n && i+3 < len(out); x, i = x+1, i+4 {
		y := int32(ys[x]) + clampOff
		cb, cr := cbs[x], crs[x]
		o := (*[4]byte)(out[i : i+4])
		o[0] = clamp[(y+crR[cr])&1023]
		o[1] = clamp[(y+(cbG[cb]+crG[cr])>>16)&1023]
		o[2] = clamp[(y+cbB[cb])&1023]
		o[3] = 255
	}
}

// smoothingOK is jdcoefct.c smoothing_ok: block smoothing is used for a
// progressive image when every component has a quantization table with
// nonzero DC and first five AC entries, every component's DC is at least
// partly known, and some component's first five AC coefficients are not
// all known to full precision.
func (d *decoder) smoothingOK() bool {
	if !d.progressive {
		return false
	}
	useful := false
	for i := range d.comps {
		c := &d.comps[i]
		q := c.qt
		if q == nil {
			return false
		}
		if q[0] == 0 || q[1] == 0 || q[8] == 0 || q[16] == 0 || q[9] == 0 || q[2] == 0 {
			return false
		}
		if c.coefBits[0] < 0 {
			return false
		}
		for k := 1; k <= 5; k++ {
			if c.coefBits[k] != 0 {
				useful = true
			}
		}
	}
	return useful
}

// smoothBlock copies block (bx, by) of c to work and estimates its first
// five AC coefficients from the DC values of the 3x3 neighbourhood (JPEG
// K.8, jdcoefct.c decompress_smooth_data) where they are still zero and not
// known to full precision. Neighbours outside the image repeat the edge.
func (d *decoder) smoothBlock(c *component, bx, by int, b, work *[64]int16) {
	*work = *b
	dc := func(x, y int) int64 {
		x = min(max(x, 0), c.bw-1)
		y = min(max(y, 0), c.bh-1)
		return int64(c.coefs[(y*c.bwAlloc+x)*64])
	}
	dc1, dc2, dc3 := dc(bx-1, by-1), dc(bx, by-1), dc(bx+1, by-1)
	dc4, dc5, dc6 := dc(bx-1, by), dc(bx, by), dc(bx+1, by)
	dc7, dc8, dc9 := dc(bx-1, by+1), dc(bx, by+1), dc(bx+1, by+1)
	q := c.qt
	q00 := int64(q[0])
	estimate := func(pos, bitsIdx int, qk, num int64) {
		al := c.coefBits[bitsIdx]
		if al == 0 || work[pos] != 0 {
			return
		}
		var pred int64
		if num >= 0 {
			pred = ((qk << 7) + num) / (qk << 8)
		} else {
			pred = ((qk << 7) - num) / (qk << 8)
		}
		p := int32(pred) // (int) cast
		if al > 0 && p >= 1<<al {
			p = 1<<al - 1
		}
		if num < 0 {
			p = -p
		}
		work[pos] = int16(p)
	}
	estimate(1, 1, int64(q[1]), 36*q00*(dc4-dc6))
	estimate(8, 2, int64(q[8]), 36*q00*(dc2-dc8))
	estimate(16, 3, int64(q[16]), 9*q00*(dc2+dc8-2*dc5))
	estimate(9, 4, int64(q[9]), 5*q00*(dc1-dc3-dc7+dc9))
	estimate(2, 5, int64(q[2]), 9*q00*(dc4+dc6-2*dc5))
}
