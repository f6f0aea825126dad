package inception

import (
	"math"

	"github.com/progan/progan/internal/sgemm"
)

// bnEps is BatchNorm2d's epsilon in every BasicConv2d of the network.
const bnEps = 0.001

// conv is a BasicConv2d: a convolution without bias, BatchNorm in
// inference mode and ReLU. The batch norm is applied after the product as
// y·scale + shift, the form PyTorch's CPU inference kernel computes, rather
// than folded into the weights, which would round differently.
type conv struct {
	name                     string
	in, out, kh, kw          int
	stride, padH, padW       int
	w                        []float32 // out × (in·kh·kw), PyTorch's layout
	scale, shift             []float32
	weight, bias, mean, varr []float32 // batch norm tensors as loaded
}

func newConv(name string, in, out, kh, kw, stride, padH, padW int) *conv {
	return &conv{name: name, in: in, out: out, kh: kh, kw: kw, stride: stride, padH: padH, padW: padW}
}

// prepare computes the batch norm's scale and shift from its tensors.
func (c *conv) prepare() {
	c.scale = make([]float32, c.out)
	c.shift = make([]float32, c.out)
	for o := range c.out {
		invstd := float32(1 / math.Sqrt(float64(c.varr[o]+bnEps)))
		a := c.weight[o] * invstd
		c.scale[o] = a
		c.shift[o] = c.bias[o] - c.mean[o]*a
	}
}

func (c *conv) outSize(h, w int) (int, int) {
	return (h+2*c.padH-c.kh)/c.stride + 1, (w+2*c.padW-c.kw)/c.stride + 1
}

// forward writes the layer's output for the c.in×h×w map x into dst
// (c.out planes of the output size) and returns that size.
func (c *conv) forward(ws *arena, x []float32, h, w int, dst []float32) (int, int) {
	oh, ow := c.outSize(h, w)
	n := oh * ow
	k := c.in * c.kh * c.kw
	if c.kh == 1 && c.kw == 1 && c.stride == 1 && c.padH == 0 && c.padW == 0 {
		sgemm.Sgemm(false, false, c.out, n, k, 1, c.w, k, x, n, 0, dst, n)
	} else {
		// The im2col matrix is built for a band of output rows at a time,
		// small enough to stay in the cache while the product packs it
		// (the stem's whole matrices are up to 25 MB). Splitting the
		// columns leaves every output's sum, and so the result, unchanged.
		band := max(1, min(oh, colBand/(k*ow)))
		col := ws.get(k * band * ow)
		for y0 := 0; y0 < oh; y0 += band {
			y1 := min(oh, y0+band)
			nb := (y1 - y0) * ow
			im2col(col[:k*nb], x, c.in, h, w, c.kh, c.kw, c.stride, c.padH, c.padW, y0, y1, ow)
			sgemm.Sgemm(false, false, c.out, nb, k, 1, c.w, k, col, nb, 0, dst[y0*ow:], n)
		}
		ws.put(k * band * ow)
	}
	bnRelu(dst[:c.out*n], n, c.scale, c.shift)
	return oh, ow
}

// bnRelu applies y = max(0, y·scale[o] + shift[o]) to out planes of n values.
func bnRelu(y []float32, n int, scale, shift []float32) {
	for o := range scale {
		a, b := scale[o], shift[o]
		row := y[o*n : (o+1)*n]
		for i, v := range row {
			// The explicit conversion keeps the product rounded on its
			// own (no fused multiply-add), as PyTorch's kernel does.
			v = float32(v*a) + b
			if v < 0 { // NaN stays NaN, as in PyTorch's relu
				v = 0
			}
			row[i] = v
		}
	}
}

// colBand bounds the im2col matrix built at once (values).
const colBand = 1 << 20

// im2col lays out the receptive fields of output rows [oy0, oy1) as
// columns: col[(ci·kh+i)·kw+j][(oy−oy0)·ow+ox] = x[ci][oy·s−ph+i][ox·s−pw+j],
// zero outside.
func im2col(col, x []float32, c, h, w, kh, kw, s, ph, pw, oy0, oy1, ow int) {
	n := (oy1 - oy0) * ow
	for ci := range c {
		plane := x[ci*h*w : (ci+1)*h*w]
		for i := range kh {
			for j := range kw {
				dst := col[((ci*kh+i)*kw+j)*n:][:n]
				for oy := oy0; oy < oy1; oy++ {
					y := oy*s - ph + i
					row := dst[(oy-oy0)*ow : (oy-oy0+1)*ow]
					if y < 0 || y >= h {
						clear(row)
						continue
					}
					src := plane[y*w : (y+1)*w]
					if s == 1 {
						// Contiguous: copy the valid span, zero the rest.
						lo := max(0, pw-j)    // first ox with x ≥ 0
						hi := min(ow, w+pw-j) // first ox with x ≥ w
						clear(row[:lo])
						if hi > lo {
							copy(row[lo:hi], src[lo-pw+j:hi-pw+j])
						}
						clear(row[max(hi, lo):])
						continue
					}
					for ox := range ow {
						xx := ox*s - pw + j
						if xx < 0 || xx >= w {
							row[ox] = 0
						} else {
							row[ox] = src[xx]
						}
					}
				}
			}
		}
	}
}

// maxPool3 is a 3×3 max pool with the given stride and padding 0 or 1
// (padding never wins, as PyTorch pads with −∞).
func maxPool3(dst, x []float32, c, h, w, s, p int) (int, int) {
	oh, ow := (h+2*p-3)/s+1, (w+2*p-3)/s+1
	for ci := range c {
		plane := x[ci*h*w : (ci+1)*h*w]
		out := dst[ci*oh*ow : (ci+1)*oh*ow]
		for oy := range oh {
			y0 := oy*s - p
			for ox := range ow {
				x0 := ox*s - p
				if y0 >= 0 && y0+3 <= h && x0 >= 0 && x0+3 <= w {
					r0 := plane[y0*w+x0:][:3]
					r1 := plane[(y0+1)*w+x0:][:3]
					r2 := plane[(y0+2)*w+x0:][:3]
					m := max3(max3(r0[0], r0[1], r0[2]), max3(r1[0], r1[1], r1[2]), max3(r2[0], r2[1], r2[2]))
					out[oy*ow+ox] = m
					continue
				}
				m := float32(math.Inf(-1))
				for y := max(y0, 0); y < min(y0+3, h); y++ {
					for xx := max(x0, 0); xx < min(x0+3, w); xx++ {
						m = max(m, plane[y*w+xx])
					}
				}
				out[oy*ow+ox] = m
			}
		}
	}
	return oh, ow
}

func max3(a, b, c float32) float32 { return max(a, b, c) }

// avgPool3 is a 3×3 average pool, stride 1, padding 1, dividing by the
// number of pixels inside the image (count_include_pad=False: TensorFlow's
// average pool, which torch-fidelity's blocks patch in). The window is
// summed row by row, left to right.
func avgPool3(dst, x []float32, c, h, w int) {
	for ci := range c {
		plane := x[ci*h*w : (ci+1)*h*w]
		out := dst[ci*h*w : (ci+1)*h*w]
		for oy := range h {
			y0, y1 := max(oy-1, 0), min(oy+2, h)
			interiorRow := y0 == oy-1 && y1 == oy+2
			for ox := range w {
				if interiorRow && ox >= 1 && ox+1 < w {
					r0 := plane[(oy-1)*w+ox-1:][:3]
					r1 := plane[oy*w+ox-1:][:3]
					r2 := plane[(oy+1)*w+ox-1:][:3]
					sum := r0[0] + r0[1] + r0[2] + r1[0] + r1[1] + r1[2] + r2[0] + r2[1] + r2[2]
					out[oy*w+ox] = sum / 9
					continue
				}
				x0, x1 := max(ox-1, 0), min(ox+2, w)
				var sum float32
				for y := y0; y < y1; y++ {
					for xx := x0; xx < x1; xx++ {
						sum += plane[y*w+xx]
					}
				}
				out[oy*w+ox] = sum / float32((y1-y0)*(x1-x0))
			}
		}
	}
}

// arena hands out scratch slices of one buffer in stack order, so that a
// forward pass allocates nothing once the buffer has grown to its peak.
type arena struct {
	buf  []float32
	used int
	peak int
}

func (a *arena) get(n int) []float32 {
	if a.used+n > len(a.buf) {
		// Grow for the next pass; this one gets a fresh slice.
		a.used += n
		a.peak = max(a.peak, a.used)
		return make([]float32, n)
	}
	s := a.buf[a.used : a.used+n : a.used+n]
	a.used += n
	a.peak = max(a.peak, a.used)
	return s
}

func (a *arena) put(n int) { a.used -= n }

// reset readies the arena for a new pass, growing it to the last peak.
func (a *arena) reset() {
	a.used = 0
	if a.peak > len(a.buf) {
		a.buf = make([]float32, a.peak)
	}
}
