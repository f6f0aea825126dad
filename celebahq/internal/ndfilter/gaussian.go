package ndfilter

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/progan/progan/internal/npsum"
)

// Truncate is scipy.ndimage.gaussian_filter's default truncate: the kernel
// radius is int(Truncate·σ + 0.5).
const Truncate = 4.0

// GaussianRadius returns scipy's kernel radius for σ, int(4·σ + 0.5).
func GaussianRadius(sigma float64) int {
	return int(Truncate*sigma + 0.5)
}

// GaussianKernel returns the 2·radius+1 weights of scipy 1.10's
// _gaussian_kernel1d(sigma, 0, radius):
//
//	x = np.arange(-radius, radius+1)
//	phi_x = np.exp(-0.5 / (sigma*sigma) * x**2)
//	phi_x = phi_x / phi_x.sum()
//
// in float64, with NumPy's pairwise summation for the sum and a correctly
// rounded exp (see expCR).
func GaussianKernel(sigma float64, radius int) []float64 {
	c := -0.5 / (sigma * sigma)
	phi := make([]float64, 2*radius+1)
	for i := range phi {
		x := float64(i - radius)
		phi[i] = expCR(c * (x * x))
	}
	s := npsum.Sum(phi)
	for i := range phi {
		phi[i] /= s
	}
	return phi
}

// GaussianFilter returns scipy.ndimage.gaussian_filter(m, [sigmaY, sigmaX, 0])
// for a float32 image: mode 'reflect' (d c b a | a b c d | d c b a, period
// 2n for radii beyond the axis), truncate 4, axis 0 (along columns) first,
// the result stored as float32, then axis 1 on that. An axis whose σ is not
// above 1e-15 is skipped, as scipy skips it; the channel axis is never
// filtered. Each output is scipy's NI_Correlate1D sum for a symmetric
// kernel, in float64 and in its order:
//
//	acc = s[i]·w[0]; for k = r … 1: acc += (s[i−k] + s[i+k])·w[k]
//
// rounded to float32 at the end. The work is spread over GOMAXPROCS
// goroutines; the result does not depend on their number. On amd64 with
// AVX2 (AVX-512) assembly kernels do the sums, four (eight) outputs to an
// instruction with the same operations in the same order, each rounded on
// its own; elsewhere, and with the purego build tag, portable Go does.
func GaussianFilter(m *Image, sigmaY, sigmaX float64) (*Image, error) {
	if err := m.check("input"); err != nil {
		return nil, err
	}
	for _, s := range []float64{sigmaY, sigmaX} {
		if err := checkSigma(s); err != nil {
			return nil, err
		}
	}
	out := &Image{W: m.W, H: m.H, C: m.C, Pix: make([]float32, len(m.Pix))}
	if len(m.Pix) == 0 {
		return out, nil
	}
	src := m.Pix
	if sigmaY > 1e-15 {
		correlateAxis0(out.Pix, f32Rows{src, m.W * m.C}, m.W*m.C, m.H, halfKernel(sigmaY, GaussianRadius(sigmaY)))
		src = out.Pix
	}
	if sigmaX > 1e-15 {
		correlateAxis1(out.Pix, src, m.W, m.H, m.C, halfKernel(sigmaX, GaussianRadius(sigmaX)), nil)
	}
	if sigmaY <= 1e-15 && sigmaX <= 1e-15 {
		copy(out.Pix, m.Pix)
	}
	return out, nil
}

// checkSigma reports whether s is a σ GaussianFilter can use.
func checkSigma(s float64) error {
	if math.IsNaN(s) || math.IsInf(s, 0) || s*Truncate >= 1<<30 {
		return fmt.Errorf("ndfilter: Gaussian σ %v is not a usable standard deviation", s)
	}
	return nil
}

// halfKernel returns w[k] = weight at offset k for k = 0 … r. scipy reverses
// the kernel (correlate, not convolve) and, finding it symmetric, reads the
// weights of negative offsets; the Gaussian is exactly symmetric, so these
// are the right half.
func halfKernel(sigma float64, r int) []float64 {
	return GaussianKernel(sigma, r)[r:]
}

// reflectMap returns, for positions −r … n+r−1 of an axis of length n,
// scipy's NI_EXTEND_REFLECT source index (period 2n: b a | a b c | c b).
func reflectMap(n, r int) []int {
	m := make([]int, n+2*r)
	for i := range m {
		p := (i - r) % (2 * n)
		if p < 0 {
			p += 2 * n
		}
		if p >= n {
			p = 2*n - 1 - p
		}
		m[i] = p
	}
	return m
}

func workers() int { return max(1, runtime.GOMAXPROCS(0)) }

// parallelFor runs f(lo, hi) over [0, n) in chunks of size step.
func parallelFor(n, step int, f func(lo, hi int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers(), (n+step-1)/step) {
		wg.Go(func() {
			for lo := range next {
				f(lo, min(lo+step, n))
			}
		})
	}
	for lo := 0; lo < n; lo += step {
		next <- lo
	}
	close(next)
	wg.Wait()
}

// parallelForState is parallelFor with a state per goroutine, made by
// newState when the goroutine starts and passed to each of its calls of f.
func parallelForState[S any](n, step int, newState func() S, f func(s S, lo, hi int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers(), (n+step-1)/step) {
		wg.Go(func() {
			s := newState()
			for lo := range next {
				f(s, lo, min(lo+step, n))
			}
		})
	}
	for lo := 0; lo < n; lo += step {
		next <- lo
	}
	close(next)
	wg.Wait()
}

// The axis-0 pass works on strips of tile samples of band output rows:
// the band's 2r+band input rows of the strip are converted to float64 once
// and stay in cache while the band is swept downwards.
const (
	tile = 256
	band = 128
	// tilePanels and bandPanels are the strips and bands of
	// correlateAxis0Panels (whose buffer holds tilePanels/16 panels of the
	// band's padded rows).
	tilePanels = 64
	bandPanels = 1024
)

// A rowSource gives the input of the axis-0 pass: load sets dst to the
// samples x0 … x0+len(dst)−1 of row y, as float64.
type rowSource interface {
	load(dst []float64, y, x0 int)
}

// f32Rows is an array of float32 rows of rowLen samples.
type f32Rows struct {
	pix    []float32
	rowLen int
}

func (s f32Rows) load(dst []float64, y, x0 int) {
	row := s.pix[y*s.rowLen+x0:][:len(dst)]
	for i, v := range row {
		dst[i] = float64(v)
	}
}

// correlateAxis0 filters along axis 0 the h rows of rowLen samples of src
// into dst.
func correlateAxis0(dst []float32, src rowSource, rowLen, h int, w []float64) {
	if useAVX2 {
		correlateAxis0Panels(dst, src, rowLen, h, w)
		return
	}
	r := len(w) - 1
	ymap := reflectMap(h, r)
	strips := (rowLen + tile - 1) / tile
	bands := (h + band - 1) / band
	type scratch struct{ buf, acc []float64 }
	parallelForState(strips*bands, 1, func() *scratch {
		n := min(tile, rowLen)
		return &scratch{buf: make([]float64, (min(band, h)+2*r)*n), acc: make([]float64, n)}
	}, func(sc *scratch, u, _ int) {
		x0 := (u % strips) * tile
		x1 := min(x0+tile, rowLen)
		y0 := (u / strips) * band
		y1 := min(y0+band, h)
		n := x1 - x0
		buf := sc.buf[:(y1-y0+2*r)*n] // padded rows y0 … y1−1+2r
		for p := range y1 - y0 + 2*r {
			src.load(buf[p*n:(p+1)*n], ymap[y0+p], x0)
		}
		acc := sc.acc[:n]
		for y := y0; y < y1; y++ {
			// Output row y is centred on padded row y+r of the buffer,
			// whose rows lie n samples apart.
			correlateRow(dst[y*rowLen+x0:y*rowLen+x1], buf, (y-y0+r)*n, n, w, acc)
		}
	})
}

// panel is the width of the fast kernels' blocks: 16 outputs, four AVX2
// or two AVX-512 vectors of float64 sums.
const panel = 16

// correlateAxis0Panels is correlateAxis0 for the fast kernels, which work
// down a panel of 16 columns. For each strip of tilePanels columns it
// converts the band's padded rows to float64 into one buffer per panel,
// its rows one after the other, so that the kernels read consecutive
// memory rather than rows a strip apart (which alias in the cache). A
// last, narrower panel is padded with zeros, its outputs computed into a
// scratch panel and the valid ones copied.
func correlateAxis0Panels(dst []float32, src rowSource, rowLen, h int, w []float64) {
	r := len(w) - 1
	ymap := reflectMap(h, r)
	strips := (rowLen + tilePanels - 1) / tilePanels
	bands := (h + bandPanels - 1) / bandPanels
	maxRows := min(bandPanels, h) + 2*r
	type scratch struct {
		buf, row []float64
		out      []float32
	}
	parallelForState(strips*bands, 1, func() *scratch {
		return &scratch{
			buf: make([]float64, tilePanels*maxRows),
			row: make([]float64, tilePanels),
			out: make([]float32, min(bandPanels, h)*panel),
		}
	}, func(sc *scratch, u, _ int) {
		x0 := (u % strips) * tilePanels
		x1 := min(x0+tilePanels, rowLen)
		y0 := (u / strips) * bandPanels
		y1 := min(y0+bandPanels, h)
		rows := y1 - y0 + 2*r // padded rows y0 … y1−1+2r
		np := (x1 - x0 + panel - 1) / panel
		buf := sc.buf[:np*rows*panel]
		row := sc.row[:x1-x0]
		for p := range rows {
			src.load(row, ymap[y0+p], x0)
			for j := range np {
				b := buf[(j*rows+p)*panel : (j*rows+p+1)*panel]
				clear(b[copy(b, row[j*panel:]):])
			}
		}
		for j := range np {
			xj := x0 + j*panel
			c0 := (j*rows + r) * panel // the centre of output row y0
			if xj+panel <= x1 {
				correlatePanel(dst[y0*rowLen+xj:], rowLen, buf, c0, w, y1-y0)
				continue
			}
			correlatePanel(sc.out, panel, buf, c0, w, y1-y0)
			for y := y0; y < y1; y++ {
				copy(dst[y*rowLen+xj:y*rowLen+x1], sc.out[(y-y0)*panel:])
			}
		}
	})
}

// correlateAxis1Panels is correlateAxis1 for the fast kernels. It takes
// the rows 16 at a time and, one channel at a time, transposes the
// reflect-extended rows into a panel whose row p holds sample p − r of the
// 16 rows (as float64), so that the axis-0 panel kernel filters along the
// rows; the outputs, 16 per column, are transposed back into dst (or
// blended into it, see blurBlend). A last strip of fewer rows is padded
// with zeros, whose outputs are dropped.
func correlateAxis1Panels(dst, src []float32, wd, h, c int, w []float64, bl *blurBlend) {
	r := len(w) - 1
	xmap := reflectMap(wd, r)
	n := wd * c
	type scratch struct {
		buf    []float64
		out, t []float32
	}
	parallelForState((h+panel-1)/panel, 1, func() *scratch {
		sc := &scratch{buf: make([]float64, (wd+2*r)*panel), out: make([]float32, wd*panel)}
		if bl != nil {
			sc.t = make([]float32, wd*panel)
		}
		return sc
	}, func(sc *scratch, u, _ int) {
		y0 := u * panel
		rows := min(panel, h-y0)
		buf, out := sc.buf, sc.out
		if rows < panel {
			clear(buf)
		}
		if bl != nil {
			for j := range rows {
				bl.factors(sc.t[j*wd:(j+1)*wd], y0+j)
			}
		}
		for ch := range c {
			for j := range rows {
				row := src[(y0+j)*n : (y0+j+1)*n]
				b := buf[j:]
				for p, sx := range xmap {
					b[p*panel] = float64(row[sx*c+ch])
				}
			}
			correlatePanel(out, panel, buf, r*panel, w, wd)
			for j := range rows {
				row := dst[(y0+j)*n : (y0+j+1)*n]
				o := out[j:]
				if bl != nil {
					bl.blendChannel(row, o, panel, sc.t[j*wd:(j+1)*wd], y0+j, ch)
					continue
				}
				for x := range wd {
					row[x*c+ch] = o[x*panel]
				}
			}
		}
	})
}

// correlateAxis1 filters along axis 1 (within each row) an (h, wd, c)
// array into dst, which may be src; with a blurBlend, the filtered rows
// are blended into dst instead (see blurBlend).
func correlateAxis1(dst, src []float32, wd, h, c int, w []float64, bl *blurBlend) {
	if useAVX2 {
		correlateAxis1Panels(dst, src, wd, h, c, w, bl)
		return
	}
	r := len(w) - 1
	xmap := reflectMap(wd, r)
	n := wd * c
	type scratch struct {
		ext, acc []float64
		g, t     []float32
	}
	parallelForState(h, 16, func() *scratch {
		sc := &scratch{ext: make([]float64, (wd+2*r)*c), acc: make([]float64, n)}
		if bl != nil {
			sc.g, sc.t = make([]float32, n), make([]float32, wd)
		}
		return sc
	}, func(sc *scratch, y0, y1 int) {
		ext, acc := sc.ext, sc.acc
		for y := y0; y < y1; y++ {
			row := src[y*n : (y+1)*n]
			for p, sx := range xmap {
				for ch := range c {
					ext[p*c+ch] = float64(row[sx*c+ch])
				}
			}
			if bl == nil {
				correlateRow(dst[y*n:(y+1)*n], ext, r*c, c, w, acc)
				continue
			}
			correlateRow(sc.g, ext, r*c, c, w, acc)
			bl.factors(sc.t, y)
			for ch := range c {
				bl.blendChannel(dst[y*n:(y+1)*n], sc.g[ch:], c, sc.t, y, ch)
			}
		}
	})
}

// correlateRow sets dst[i], for i < len(dst), to the correlation of the
// samples buf[c0+i+k·s], k = −r … r, with the symmetric kernel w (w[k] the
// weight of ±k), in scipy's order:
//
//	acc = buf[c0+i]·w[0]; for k = r … 1: acc += (buf[c0+i−k·s] + buf[c0+i+k·s])·w[k]
//
// rounded to float32 at the end. acc is scratch of at least len(dst).
func correlateRow(dst []float32, buf []float64, c0, s int, w []float64, acc []float64) {
	n := len(dst)
	r := len(w) - 1
	acc = acc[:n]
	at := func(k int) []float64 { return buf[c0+k*s : c0+k*s+n] }
	ctr := at(0)
	for i := range acc {
		acc[i] = float64(ctr[i] * w[0])
	}
	k := r
	for ; k >= 4; k -= 4 {
		addPairs4d(acc, at(-k), at(k), at(-k+1), at(k-1), at(-k+2), at(k-2), at(-k+3), at(k-3), w[k], w[k-1], w[k-2], w[k-3])
	}
	for ; k >= 1; k-- {
		a, b := at(-k), at(k)
		for i := range acc {
			acc[i] += float64((a[i] + b[i]) * w[k])
		}
	}
	for i, v := range acc {
		dst[i] = float32(v)
	}
}

func addPairs4d(acc, a0, b0, a1, b1, a2, b2, a3, b3 []float64, w0, w1, w2, w3 float64) {
	n := len(acc)
	a0, b0, a1, b1 = a0[:n], b0[:n], a1[:n], b1[:n]
	a2, b2, a3, b3 = a2[:n], b2[:n], a3[:n], b3[:n]
	for i := range acc {
		s := acc[i]
		s += float64((a0[i] + b0[i]) * w0)
		s += float64((a1[i] + b1[i]) * w1)
		s += float64((a2[i] + b2[i]) * w2)
		s += float64((a3[i] + b3[i]) * w3)
		acc[i] = s
	}
}
