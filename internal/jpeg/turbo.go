package jpeg

import "fmt"

// Options selects a decoder other than libjpeg 8d to imitate.
type Options struct {
	// Turbo selects libjpeg-turbo 2.1.5 with its default settings, as
	// OpenCV 4.6's cv2.imdecode uses it (the LSUN tools decode JPEG values
	// that way): every component goes through the 8x8 islow IDCT, and
	// 2:1 chroma is upsampled with turbo's triangle filters
	// (h2v1_fancy_upsample, h1v2_fancy_upsample, h2v2_fancy_upsample;
	// other integral ratios by replication). Entropy decoding, the IDCT
	// and colour conversion are the same as in 8d. A progressive image
	// that would need turbo's (different) block smoothing returns an
	// UnsupportedError. cv2 returns BGR and three channels for grayscale
	// files; DecodeRGBOptions still returns RGB, and one channel for
	// grayscale.
	Turbo bool
}

// DecodeRGBOptions is DecodeRGB with a choice of decoder to imitate; a nil
// or zero Options means libjpeg 8d.
func DecodeRGBOptions(data []byte, o *Options) (pix []byte, w, h, c int, err error) {
	d := &decoder{data: data}
	if o != nil {
		d.turbo = o.Turbo
	}
	if err := d.decode(false); err != nil {
		return nil, 0, 0, 0, err
	}
	return d.pix, d.width, d.height, d.outChannels, nil
}

// upsampler is libjpeg-turbo's per-component upsampling method.
type upsampler int

const (
	upBox  upsampler = iota // fullsize_upsample, h2v1/h2v2_upsample, int_upsample
	upH2V1                  // h2v1_fancy_upsample
	upH1V2                  // h1v2_fancy_upsample
	upH2V2                  // h2v2_fancy_upsample
)

// setupTurbo derives a component's geometry for libjpeg-turbo: no DCT
// scaling (jdmaster.c with min_DCT_scaled_size 8), and jdsample.c
// jinit_upsampler's choice of method.
func (d *decoder) setupTurbo(c *component) error {
	c.bw = ceilDiv(d.width*c.h, d.maxH*8)
	c.bh = ceilDiv(d.height*c.v, d.maxV*8)
	c.bwAlloc = roundUp(c.bw, c.h)
	c.bhAlloc = roundUp(c.bh, c.v)
	c.dctW, c.dctH = 8, 8
	for k := range c.coefBits {
		c.coefBits[k] = -1
	}
	if d.maxH%c.h != 0 || d.maxV%c.v != 0 {
		return UnsupportedError(fmt.Sprintf("fractional sampling ratio (component %d is %dx%d of %dx%d)", c.idx, c.h, c.v, d.maxH, d.maxV))
	}
	c.expH = d.maxH / c.h
	c.expV = d.maxV / c.v
	dw := ceilDiv(d.width*c.h, d.maxH)
	switch {
	case c.expH == 2 && c.expV == 1 && dw > 2:
		c.up = upH2V1
	case c.expH == 1 && c.expV == 2:
		c.up = upH1V2
	case c.expH == 2 && c.expV == 2 && dw > 2:
		c.up = upH2V2
	default:
		c.up = upBox
	}
	return nil
}

// turboSmoothing is libjpeg-turbo 2.1's smoothing_ok, which looks at the
// first nine AC coefficients.
func (d *decoder) turboSmoothing() bool {
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
		for k := 0; k <= 9; k++ {
			if q[naturalOrder[k]] == 0 {
				return false
			}
		}
		if c.coefBits[0] < 0 {
			return false
		}
		for k := 1; k <= 9; k++ {
			if c.coefBits[k] != 0 {
				useful = true
			}
		}
	}
	return useful
}

// emitTurbo upsamples and colour-converts the whole image from the
// component planes (jdsample.c, jdcolor.c). Rows outside a component's
// downsampled height are replaced by its last row, as jdmainct.c's context
// pointers do at the image edges.
func (d *decoder) emitTurbo() {
	w := d.width
	var rows [3][]byte
	for i := range d.comps {
		rows[i] = make([]byte, w+16)
	}
	colsum := make([]int32, w+16)
	for y := 0; y < d.height; y++ {
		for i := range d.comps {
			c := &d.comps[i]
			stride := d.stripStride[i]
			dh := ceilDiv(d.height*c.v, d.maxV)
			dw := ceilDiv(d.width*c.h, d.maxH)
			plane := func(r int) []byte {
				r = min(max(r, 0), dh-1)
				return d.strips[i][r*stride : r*stride+dw]
			}
			out := rows[i]
			switch c.up {
			case upBox:
				in := plane(y / c.expV)
				for x := 0; x < w; x++ {
					out[x] = in[x/c.expH]
				}
			case upH2V1:
				fancyH2V1(out, plane(y))
			case upH1V2:
				near, far, bias := vertNeighbours(y, plane)
				for x := 0; x < dw; x++ {
					out[x] = byte((int32(near[x])*3 + int32(far[x]) + bias) >> 2)
				}
			case upH2V2:
				near, far, _ := vertNeighbours(y, plane)
				cs := colsum[:dw]
				for x := range cs {
					cs[x] = int32(near[x])*3 + int32(far[x])
				}
				fancyH2V2(out, cs)
			}
		}
		out := d.pix[y*d.outStride : (y+1)*d.outStride]
		switch {
		case d.outChannels == 1:
			copy(out, rows[0][:w])
		case d.ycc:
			yccRow(out, rows[0][:w], rows[1][:w], rows[2][:w])
		default:
			for x := 0; x < w; x++ {
				out[3*x], out[3*x+1], out[3*x+2] = rows[0][x], rows[1][x], rows[2][x]
			}
		}
	}
}

// vertNeighbours returns, for output row y of a 2:1 vertically subsampled
// component, the nearer input row, the further one (above for even y, below
// for odd y) and turbo's h1v2 rounding bias.
func vertNeighbours(y int, plane func(int) []byte) (near, far []byte, bias int32) {
	r := y / 2
	if y%2 == 0 {
		return plane(r), plane(r - 1), 1
	}
	return plane(r), plane(r + 1), 2
}

// fancyH2V1 is h2v1_fancy_upsample for one row (len(in) > 2).
func fancyH2V1(out, in []byte) {
	n := len(in)
	out = out[:2*n]
	out[0] = in[0]
	out[1] = byte((int32(in[0])*3 + int32(in[1]) + 2) >> 2)
	for j := 1; j < n-1; j++ {
		v := int32(in[j]) * 3
		out[2*j] = byte((v + int32(in[j-1]) + 1) >> 2)
		out[2*j+1] = byte((v + int32(in[j+1]) + 2) >> 2)
	}
	out[2*n-2] = byte((int32(in[n-1])*3 + int32(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// fancyH2V2 is the horizontal half of h2v2_fancy_upsample, given the
// vertical column sums 3*nearer + further (len(cs) > 2).
func fancyH2V2(out []byte, cs []int32) {
	n := len(cs)
	out = out[:2*n]
	out[0] = byte((cs[0]*4 + 8) >> 4)
	out[1] = byte((cs[0]*3 + cs[1] + 7) >> 4)
	for j := 1; j < n-1; j++ {
		out[2*j] = byte((cs[j]*3 + cs[j-1] + 8) >> 4)
		out[2*j+1] = byte((cs[j]*3 + cs[j+1] + 7) >> 4)
	}
	out[2*n-2] = byte((cs[n-1]*3 + cs[n-2] + 8) >> 4)
	out[2*n-1] = byte((cs[n-1]*4 + 7) >> 4)
}
