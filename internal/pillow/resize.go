package pillow

import (
	"fmt"
	"math"
	"sync"
)

// Resize returns src resized to width×height with Pillow 3.1.1's ANTIALIAS
// (Lanczos-3) filter, as Image.resize((width, height), ANTIALIAS) does:
//
//   - if the size does not change, the result is a copy of src;
//   - otherwise both passes always run, even along an axis whose size stays
//     the same: first the rows are resampled to the new width into an 8-bit
//     image, then its columns to the new height (an n → n pass has weights
//     only close to 0 and 1, yet it gives back its input);
//   - one pass from n to m samples uses scale = n/m and the filter widened
//     by max(scale, 1) (upscaling uses the plain Lanczos-3 kernel); each
//     output sample is 0.5 plus the weighted sum of its inputs, accumulated
//     in float32 in increasing input order, then truncated and clamped to
//     [0, 255], which rounds ties up.
//
// The weights are computed in float32 exactly as Resample.c computes them
// (sin in float64) and are cached per (n, m) pair, so repeated resizes
// between the same sizes share them; Resize is safe for concurrent use.
// It panics if width or height is less than 1.
func Resize(src *Image, width, height int) *Image {
	src.check()
	if width < 1 || height < 1 {
		panic(fmt.Sprintf("pillow: invalid resize target %dx%d", width, height))
	}
	if src.Width == width && src.Height == height {
		out := *src
		out.Pix = append([]uint8(nil), src.Pix...)
		return &out
	}
	tmp := New(width, src.Height, src.Channels)
	resampleRows(tmp, src, coeffsFor(src.Width, width))
	out := New(width, height, src.Channels)
	resampleColumns(out, tmp, coeffsFor(src.Height, height))
	return out
}

// coeffs holds the weights of one pass from n input to m output samples.
// Output i is the weighted sum of inputs start[i] … start[i]+taps-1 with
// weights w[i*taps:(i+1)*taps]. Pillow's window for an output is shortened
// here by the zero weights at its ends and, where the fixed stride needs
// it, lengthened with zero weights; adding a zero product leaves the
// float32 sum unchanged, so the result is the same.
type coeffs struct {
	taps  int
	start []int
	w     []float32
}

// lanczos is Resample.c's lanczos_filter with its float arguments: the
// kernel sinc(x)·sinc(x/3) on [-3, 3).
func lanczos(x float32) float32 {
	if -3 <= x && x < 3 {
		return float32(sinc(x) * sinc(x/3))
	}
	return 0
}

// sinc is Resample.c's sinc_filter: x·π is rounded to float32 before the
// division in float64, whose quotient is rounded to float32 again.
func sinc(x float32) float32 {
	if x == 0 {
		return 1
	}
	x = float32(float64(x) * math.Pi)
	return float32(sin(float64(x)) / float64(x))
}

// computeCoeffs follows the weight loop of Pillow 3.1.1's
// ImagingResampleHorizontal; every named quantity is a float32 there.
func computeCoeffs(n, m int) *coeffs {
	scale := float32(n) / float32(m)
	filterscale := scale
	if filterscale < 1 {
		filterscale = 1
	}
	support := float32(float32(3) * filterscale)
	ss := float32(1 / float64(filterscale))

	lo := make([]int, m)
	raw := make([][]float32, m)
	k := make([]float32, 0, 2*int(math.Ceil(float64(support)))+1)
	taps := 0
	for xx := range m {
		center := float32((float64(xx) + 0.5) * float64(scale))
		xmin := max(int(math.Floor(float64(center-support))), 0)
		xmax := min(int(math.Ceil(float64(center+support))), n)
		k = k[:0]
		var ww float32
		for x := xmin; x < xmax; x++ {
			t := float32((float64(float32(x)-center) + 0.5) * float64(ss))
			w := float32(lanczos(t) * ss)
			k = append(k, w)
			ww += w
		}
		if ww != 0 {
			for i := range k {
				k[i] /= ww
			}
		}
		// Trim the zero weights at both ends.
		a, b := 0, len(k)
		for a < b && k[a] == 0 {
			a++
		}
		for b > a && k[b-1] == 0 {
			b--
		}
		lo[xx] = xmin + a
		raw[xx] = append([]float32(nil), k[a:b]...)
		taps = max(taps, b-a)
	}

	c := &coeffs{taps: taps, start: make([]int, m), w: make([]float32, m*taps)}
	for xx := range m {
		// Place the window so that it fits inside [0, n).
		s := max(min(lo[xx], n-taps), 0)
		c.start[xx] = s
		copy(c.w[xx*taps+lo[xx]-s:], raw[xx])
	}
	return c
}

// The weight cache. Its size is bounded because the CelebA-HQ builder
// resizes each image between sizes of its own; the common pairs (4096→1024,
// LSUN's crop sizes → 256) stay in it.
const cacheSize = 64

var cache struct {
	sync.Mutex
	m     map[[2]int]*coeffs
	order [][2]int // insertion order, for eviction
}

// coeffsFor returns the (shared, read-only) weights for n → m samples.
func coeffsFor(n, m int) *coeffs {
	key := [2]int{n, m}
	cache.Lock()
	c := cache.m[key]
	cache.Unlock()
	if c != nil {
		return c
	}
	c = computeCoeffs(n, m)
	cache.Lock()
	defer cache.Unlock()
	if old := cache.m[key]; old != nil {
		return old
	}
	if cache.m == nil {
		cache.m = make(map[[2]int]*coeffs)
	}
	if len(cache.order) >= cacheSize {
		delete(cache.m, cache.order[0])
		cache.order = append(cache.order[:0], cache.order[1:]...)
	}
	cache.m[key] = c
	cache.order = append(cache.order, key)
	return c
}

// u8f converts a sample to float32 by table lookup, which is faster than
// the integer conversion in the inner loops.
var u8f = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i)
	}
	return
}()

// clip8 is Resample.c's clip8: truncation toward zero, then clamping.
func clip8(v float32) uint8 {
	i := int32(v)
	if i >= 255 {
		return 255
	}
	if i <= 0 {
		return 0
	}
	return uint8(i)
}

// resampleRows resamples each row of src to dst.Width samples. Every
// product is converted to float32 explicitly so that the compiler cannot
// fuse it with the addition.
func resampleRows(dst, src *Image, c *coeffs) {
	taps := c.taps
	switch src.Channels {
	case 3:
		inRow, outRow := 3*src.Width, 3*dst.Width
		// Two rows at a time share the weights and give the CPU
		// independent sums to work on.
		y := resampleRowsRGBFast(dst, src, c)
		for ; y+1 < src.Height; y += 2 {
			in0 := src.Pix[y*inRow:][:inRow]
			in1 := src.Pix[(y+1)*inRow:][:inRow]
			out0 := dst.Pix[y*outRow:][:outRow]
			out1 := dst.Pix[(y+1)*outRow:][:outRow]
			for xx, s := range c.start {
				w := c.w[xx*taps:][:taps]
				p0 := in0[3*s:][:3*taps]
				p1 := in1[3*s:][:3*taps]
				r0, g0, b0 := float32(0.5), float32(0.5), float32(0.5)
				r1, g1, b1 := float32(0.5), float32(0.5), float32(0.5)
				for i, k := range w {
					q0 := p0[3*i : 3*i+3 : 3*i+3]
					q1 := p1[3*i : 3*i+3 : 3*i+3]
					r0 += float32(u8f[q0[0]] * k)
					g0 += float32(u8f[q0[1]] * k)
					b0 += float32(u8f[q0[2]] * k)
					r1 += float32(u8f[q1[0]] * k)
					g1 += float32(u8f[q1[1]] * k)
					b1 += float32(u8f[q1[2]] * k)
				}
				o0 := out0[3*xx : 3*xx+3 : 3*xx+3]
				o1 := out1[3*xx : 3*xx+3 : 3*xx+3]
				o0[0], o0[1], o0[2] = clip8(r0), clip8(g0), clip8(b0)
				o1[0], o1[1], o1[2] = clip8(r1), clip8(g1), clip8(b1)
			}
		}
		for ; y < src.Height; y++ {
			in := src.Pix[y*inRow:][:inRow]
			out := dst.Pix[y*outRow:][:outRow]
			for xx, s := range c.start {
				w := c.w[xx*taps:][:taps]
				p := in[3*s:][:3*taps]
				r, g, b := float32(0.5), float32(0.5), float32(0.5)
				for i, k := range w {
					q := p[3*i : 3*i+3 : 3*i+3]
					r += float32(u8f[q[0]] * k)
					g += float32(u8f[q[1]] * k)
					b += float32(u8f[q[2]] * k)
				}
				o := out[3*xx : 3*xx+3 : 3*xx+3]
				o[0], o[1], o[2] = clip8(r), clip8(g), clip8(b)
			}
		}
	default:
		y := 0
		for ; y+1 < src.Height; y += 2 {
			in0 := src.Pix[y*src.Width:][:src.Width]
			in1 := src.Pix[(y+1)*src.Width:][:src.Width]
			out0 := dst.Pix[y*dst.Width:][:dst.Width]
			out1 := dst.Pix[(y+1)*dst.Width:][:dst.Width]
			for xx, s := range c.start {
				w := c.w[xx*taps:][:taps]
				p0 := in0[s:][:taps]
				p1 := in1[s:][:taps]
				v0, v1 := float32(0.5), float32(0.5)
				for i, k := range w {
					v0 += float32(u8f[p0[i]] * k)
					v1 += float32(u8f[p1[i]] * k)
				}
				out0[xx], out1[xx] = clip8(v0), clip8(v1)
			}
		}
		for ; y < src.Height; y++ {
			in := src.Pix[y*src.Width:][:src.Width]
			out := dst.Pix[y*dst.Width:][:dst.Width]
			for xx, s := range c.start {
				w := c.w[xx*taps:][:taps]
				p := in[s:][:taps]
				v := float32(0.5)
				for i, k := range w {
					v += float32(u8f[p[i]] * k)
				}
				out[xx] = clip8(v)
			}
		}
	}
}

// resampleColumns resamples each column of src to dst.Height samples. It
// runs over whole rows, keeping one float32 sum per sample of an output
// row; each sum still adds its inputs in increasing row order, so the
// result is that of Pillow's transposed horizontal pass.
func resampleColumns(dst, src *Image, c *coeffs) {
	rowLen := src.Width * src.Channels
	acc := make([]float32, rowLen)
	taps := c.taps
	for yy, s := range c.start {
		w := c.w[yy*taps:][:taps]
		out := dst.Pix[yy*rowLen:][:rowLen]
		done := resampleColsFast(out, src.Pix[s*rowLen:], rowLen, w)
		if done == rowLen {
			continue
		}
		acc := acc[done:]
		for i := range acc {
			acc[i] = 0.5
		}
		row := func(y int) []uint8 { return src.Pix[y*rowLen+done:][:len(acc)] }
		j := 0
		// Two input rows per sweep halve the traffic on acc; each sum
		// still takes the rows in order.
		for ; j+1 < len(w); j += 2 {
			k0, k1 := w[j], w[j+1]
			in0, in1 := row(s+j), row(s+j+1)
			for i, a := range acc {
				a += float32(u8f[in0[i]] * k0)
				a += float32(u8f[in1[i]] * k1)
				acc[i] = a
			}
		}
		if j < len(w) {
			k := w[j]
			in := row(s + j)
			for i, p := range in {
				acc[i] += float32(u8f[p] * k)
			}
		}
		out = out[done:]
		for i, v := range acc {
			out[i] = clip8(v)
		}
	}
}
