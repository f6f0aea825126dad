package ndfilter

import (
	"fmt"
	"math"
	"runtime"
	"sync"
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
	s := pairwiseSum(phi)
	for i := range phi {
		phi[i] /= s
	}
	return phi
}

// pairwiseSum is NumPy's float64 add.reduce of a contiguous array
// (DOUBLE_pairwise_sum, blocks of 128 summed with eight accumulators).
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
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
// goroutines; the result does not depend on their number.
func GaussianFilter(m *Image, sigmaY, sigmaX float64) (*Image, error) {
	if err := m.check("input"); err != nil {
		return nil, err
	}
	for _, s := range []float64{sigmaY, sigmaX} {
		if math.IsNaN(s) || math.IsInf(s, 0) || s*Truncate >= 1<<30 {
			return nil, fmt.Errorf("ndfilter: Gaussian σ %v is not a usable standard deviation", s)
		}
	}
	out := &Image{W: m.W, H: m.H, C: m.C, Pix: make([]float32, len(m.Pix))}
	if len(m.Pix) == 0 {
		return out, nil
	}
	src := m.Pix
	if sigmaY > 1e-15 {
		correlateAxis0(out.Pix, src, m.W*m.C, m.H, halfKernel(sigmaY, GaussianRadius(sigmaY)))
		src = out.Pix
	}
	if sigmaX > 1e-15 {
		correlateAxis1(out.Pix, src, m.W, m.H, m.C, halfKernel(sigmaX, GaussianRadius(sigmaX)))
	}
	if sigmaY <= 1e-15 && sigmaX <= 1e-15 {
		copy(out.Pix, m.Pix)
	}
	return out, nil
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

// The axis-0 pass works on strips of tile samples of band output rows:
// the band's 2r+band input rows of the strip are converted to float64 once
// and stay in cache while the band is swept downwards.
const (
	tile = 256
	band = 128
)

// correlateAxis0 filters along axis 0 an array of h rows of rowLen samples.
func correlateAxis0(dst, src []float32, rowLen, h int, w []float64) {
	r := len(w) - 1
	ymap := reflectMap(h, r)
	strips := (rowLen + tile - 1) / tile
	bands := (h + band - 1) / band
	parallelFor(strips*bands, 1, func(u, _ int) {
		x0 := (u % strips) * tile
		x1 := min(x0+tile, rowLen)
		y0 := (u / strips) * band
		y1 := min(y0+band, h)
		n := x1 - x0
		buf := make([]float64, (y1-y0+2*r)*n) // padded rows y0 … y1−1+2r
		for p := range y1 - y0 + 2*r {
			s := src[ymap[y0+p]*rowLen+x0 : ymap[y0+p]*rowLen+x1]
			b := buf[p*n : (p+1)*n]
			for i, v := range s {
				b[i] = float64(v)
			}
		}
		acc := make([]float64, n)
		row := func(p int) []float64 { return buf[(p-y0)*n : (p-y0+1)*n] }
		for y := y0; y < y1; y++ {
			c := row(y + r)
			for i := range acc {
				acc[i] = c[i] * w[0]
			}
			k := r
			for ; k >= 4; k -= 4 {
				addPairs4d(acc, row(y+r-k), row(y+r+k), row(y+r-k+1), row(y+r+k-1),
					row(y+r-k+2), row(y+r+k-2), row(y+r-k+3), row(y+r+k-3), w[k], w[k-1], w[k-2], w[k-3])
			}
			for ; k >= 1; k-- {
				a, b := row(y+r-k), row(y+r+k)
				for i := range acc {
					acc[i] += float64((a[i] + b[i]) * w[k])
				}
			}
			out := dst[y*rowLen+x0 : y*rowLen+x1]
			for i, v := range acc {
				out[i] = float32(v)
			}
		}
	})
}

// correlateAxis1 filters along axis 1 (within each row) an (h, wd, c)
// array; dst may be src.
func correlateAxis1(dst, src []float32, wd, h, c int, w []float64) {
	r := len(w) - 1
	xmap := reflectMap(wd, r)
	n := wd * c
	parallelFor(h, 16, func(y0, y1 int) {
		ext := make([]float64, (wd+2*r)*c)
		acc := make([]float64, n)
		for y := y0; y < y1; y++ {
			row := src[y*n : (y+1)*n]
			for p, sx := range xmap {
				for ch := range c {
					ext[p*c+ch] = float64(row[sx*c+ch])
				}
			}
			ctr := ext[r*c : r*c+n]
			for i := range acc {
				acc[i] = ctr[i] * w[0]
			}
			k := r
			for ; k >= 4; k -= 4 {
				at := func(off int) []float64 { return ext[(r+off)*c : (r+off)*c+n] }
				addPairs4d(acc, at(-k), at(k), at(-k+1), at(k-1), at(-k+2), at(k-2), at(-k+3), at(k-3), w[k], w[k-1], w[k-2], w[k-3])
			}
			for ; k >= 1; k-- {
				a, b := ext[(r-k)*c:(r-k)*c+n], ext[(r+k)*c:(r+k)*c+n]
				for i := range acc {
					acc[i] += float64((a[i] + b[i]) * w[k])
				}
			}
			out := dst[y*n : (y+1)*n]
			for i, v := range acc {
				out[i] = float32(v)
			}
		}
	})
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
