package nn

// This file holds every loop over tensor data in the package: matrix
// multiplication, im2col and its adjoint, and the element-wise and
// reduction kernels of the layers. Layers only call these functions, so a
// second backend (CUDA) has to provide exactly this set. Slices are dense
// and row-major; the kernels neither allocate tensors nor check shapes,
// which the layers do.

import (
	"math"
	"runtime"
	"sync"

	"github.com/progan/progan/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// useSgemm sends float32 products to internal/sgemm (set by
// blas_default.go in builds without the openblas tag, where it is faster
// than gonum's pure Go Sgemm).
var useSgemm bool

// gemm computes c = alpha·op(a)·op(b) + beta·c with op(m) = mᵀ when the
// flag is set; op(a) is m×k, op(b) is k×n. float32 goes to internal/sgemm
// when useSgemm is set; otherwise it goes through blas32/blas64 so that an
// optimised implementation registered with Use (OpenBLAS through
// gonum.org/v1/netlib) is picked up; the default is gonum's pure Go one.
func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		if useSgemm {
			sgemm.Sgemm(tA, tB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
			return
		}
		blas32.Implementation().Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// parallelFor calls f on consecutive sub-ranges of [0, n) on up to
// GOMAXPROCS goroutines. cost is the rough work per index; small jobs run
// on the caller's goroutine, where starting goroutines would cost more than
// it saves.
func parallelFor(n, cost int, f func(lo, hi int)) {
	const minWork = 1 << 15
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || n*cost < 2*minWork {
		f(0, n)
		return
	}
	workers = min(workers, max(1, n*cost/minWork))
	var wg sync.WaitGroup
	for i := range workers {
		lo, hi := i*n/workers, (i+1)*n/workers
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// im2col writes the k×k SAME-padded patches of one [c, h, w] image as the
// [k·k·c, h·w] matrix col, rows ordered (ky, kx, channel) to match the
// reference's HWIO weight layout, so that a convolution is Wᵀ·col.
func im2col[T Float](col, x []T, c, h, w, k int) {
	p := k / 2
	hw := h * w
	for ky := range k {
		for kx := range k {
			dx := kx - p
			// Output columns whose source column is inside the image.
			x0, x1 := max(0, -dx), min(w, w-dx)
			for ci := range c {
				row := col[((ky*k+kx)*c+ci)*hw:][:hw]
				src := x[ci*hw:][:hw]
				for oy := range h {
					iy := oy + ky - p
					out := row[oy*w:][:w]
					if iy < 0 || iy >= h || x0 >= x1 {
						clear(out)
						continue
					}
					clear(out[:x0])
					copy(out[x0:x1], src[iy*w+x0+dx:])
					clear(out[x1:])
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col back onto
// the pixel of x it was read from.
func col2im[T Float](x, col []T, c, h, w, k int) {
	p := k / 2
	hw := h * w
	for ky := range k {
		for kx := range k {
			dx := kx - p
			x0, x1 := max(0, -dx), min(w, w-dx)
			if x0 >= x1 {
				continue
			}
			for ci := range c {
				row := col[((ky*k+kx)*c+ci)*hw:][:hw]
				dst := x[ci*hw:][:hw]
				for oy := range h {
					iy := oy + ky - p
					if iy < 0 || iy >= h {
						continue
					}
					d := dst[iy*w+x0+dx:][:x1-x0]
					for i, v := range row[oy*w+x0 : oy*w+x1] {
						d[i] += v
					}
				}
			}
		}
	}
}

// leakyMul sets dst = src·f'(x) with f the leaky ReLU of the given slope:
// leakyMul(y, x, x) is the activation itself, and with src a gradient or
// tangent it is the backward or tangent pass.
func leakyMul[T Float](dst, src, x []T, slope T) {
	parallelFor(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if x[i] > 0 {
				dst[i] = src[i]
			} else {
				dst[i] = slope * src[i]
			}
		}
	})
}

// addBias sets dst = src + b broadcast over the channel axis of [n, c, hw].
func addBias[T Float](dst, src, b []T, n, c, hw int) {
	parallelFor(n*c, hw, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			bi := b[i%c]
			s, d := src[i*hw:][:hw], dst[i*hw:][:hw]
			for j, v := range s {
				d[j] = v + bi
			}
		}
	})
}

// sumBias adds to db the sum of dy over the batch and pixels of each channel.
func sumBias[T Float](db, dy []T, n, c, hw int) {
	for ci := range c {
		var s float64
		for ni := range n {
			for _, v := range dy[(ni*c+ci)*hw:][:hw] {
				s += float64(v)
			}
		}
		db[ci] += T(s)
	}
}

// upscale sets dst, [nc, h·f, w·f], to alpha times src, [nc, h, w], with
// every pixel repeated f×f times (nearest-neighbour upsampling).
func upscale[T Float](dst, src []T, nc, h, w, f int, alpha T) {
	wf := w * f
	parallelFor(nc, h*w*f*f, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := src[i*h*w:][:h*w]
			d := dst[i*h*w*f*f:][:h*w*f*f]
			for y := range h {
				row := d[y*f*wf:][:wf]
				for x, v := range s[y*w : y*w+w] {
					for j := range f {
						row[x*f+j] = alpha * v
					}
				}
				for j := 1; j < f; j++ {
					copy(d[(y*f+j)*wf:][:wf], row)
				}
			}
		}
	})
}

// downscale sets dst, [nc, h/f, w/f], to alpha times the sum of each f×f
// block of src, [nc, h, w]: alpha = 1/f² is average pooling, alpha = 1 the
// adjoint of upscale.
func downscale[T Float](dst, src []T, nc, h, w, f int, alpha T) {
	ho, wo := h/f, w/f
	parallelFor(nc, h*w, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := src[i*h*w:][:h*w]
			d := dst[i*ho*wo:][:ho*wo]
			clear(d)
			for y := range h {
				row := d[(y/f)*wo:][:wo]
				for x, v := range s[y*w : y*w+w] {
					row[x/f] += v
				}
			}
			for j := range d {
				d[j] *= alpha
			}
		}
	})
}

// lerp sets dst = a + (b − a)·t.
func lerp[T Float](dst, a, b []T, t T) {
	parallelFor(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = a[i] + (b[i]-a[i])*t
		}
	})
}

// scale sets dst = alpha·src.
func scale[T Float](dst, src []T, alpha T) {
	parallelFor(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = alpha * src[i]
		}
	})
}

// add sets dst += src.
func add[T Float](dst, src []T) {
	parallelFor(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] += src[i]
		}
	})
}

// pixelNorm sets y = x·r with r = (mean over channels of x² + eps)^(−1/2)
// at every pixel of [n, c, hw].
func pixelNorm[T Float](y, x []T, n, c, hw int, eps T) {
	parallelFor(n, 3*c*hw, func(lo, hi int) {
		r := make([]T, hw)
		for ni := lo; ni < hi; ni++ {
			xs, ys := x[ni*c*hw:][:c*hw], y[ni*c*hw:][:c*hw]
			pixelNormRsqrt(r, xs, c, hw, eps)
			for ci := range c {
				for j, v := range xs[ci*hw : ci*hw+hw] {
					ys[ci*hw+j] = v * r[j]
				}
			}
		}
	})
}

// pixelNormBackward sets dx = r·dy − x·r³·mean_c(x·dy), the gradient of
// pixelNorm at x.
func pixelNormBackward[T Float](dx, dy, x []T, n, c, hw int, eps T) {
	parallelFor(n, 5*c*hw, func(lo, hi int) {
		r := make([]T, hw)
		dot := make([]T, hw)
		for ni := lo; ni < hi; ni++ {
			xs, dys, dxs := x[ni*c*hw:][:c*hw], dy[ni*c*hw:][:c*hw], dx[ni*c*hw:][:c*hw]
			pixelNormRsqrt(r, xs, c, hw, eps)
			clear(dot)
			for i, v := range xs {
				dot[i%hw] += v * dys[i]
			}
			for j := range hw {
				dot[j] *= r[j] * r[j] * r[j] / T(c)
			}
			for i, v := range xs {
				dxs[i] = r[i%hw]*dys[i] - v*dot[i%hw]
			}
		}
	})
}

func pixelNormRsqrt[T Float](r, x []T, c, hw int, eps T) {
	clear(r)
	for i, v := range x {
		r[i%hw] += v * v
	}
	for j, s := range r {
		r[j] = T(1 / math.Sqrt(float64(s/T(c)+eps)))
	}
}

// The minibatch-stddev kernels work on x of [n, k] (k = c·h·w per sample)
// split into m = n/g groups of g samples, sample i in group i mod m, as the
// reference's reshape to [g, m, …]. Per group and feature j, with
// d = x − mean over the group and s_j = √(mean over the group of d² + eps),
// the statistic is S = mean_j s_j.

const mbstdEps = 1e-8

// mbstd writes to stat[mi] the statistic S of every group and, if tx is
// not nil, to tstat[mi] its derivative in the direction tx,
// Σ_j Σ_group d·tx / (k·g·s_j).
func mbstd[T Float](stat, tstat, x, tx []T, n, g, k int) {
	m := n / g
	for mi := range m {
		var s, ts float64
		for j := range k {
			_, v, dt := mbstdFeature(x, tx, mi, m, g, k, j)
			sj := math.Sqrt(v + mbstdEps)
			s += sj
			if tx != nil {
				ts += dt / sj
			}
		}
		stat[mi] = T(s / float64(k))
		if tx != nil {
			tstat[mi] = T(ts / float64(k*g))
		}
	}
}

// mbstdFeature returns, for feature j of group mi, the group mean, the
// variance and Σ_group d·tx (0 without tx).
func mbstdFeature[T Float](x, tx []T, mi, m, g, k, j int) (mu, v, dt float64) {
	for gi := range g {
		mu += float64(x[(gi*m+mi)*k+j])
	}
	mu /= float64(g)
	for gi := range g {
		i := (gi*m+mi)*k + j
		d := float64(x[i]) - mu
		v += d * d
		if tx != nil {
			dt += d * float64(tx[i])
		}
	}
	return mu, v / float64(g), dt
}

// mbstdBackward adds to dx the gradient of Σ_mi dstat[mi]·S_mi and, when
// dtstat is not nil, the cotangents of the pair (S, tS) in direction tx:
//
//	dx  += dS·d/(k·g·s) + dtS/(k·g)·(td/s − a·d/(g·s³)),  a = Σ_group d·tx,
//	dtx += dtS·d/(k·g·s),
//
// with td = tx − mean over the group of tx. dstat may be nil for zero.
func mbstdBackward[T Float](dx, dtx, x, tx, dstat, dtstat []T, n, g, k int) {
	m := n / g
	kg := float64(k * g)
	for mi := range m {
		var ds, dts float64
		if dstat != nil {
			ds = float64(dstat[mi])
		}
		if dtstat != nil {
			dts = float64(dtstat[mi])
		}
		for j := range k {
			mu, v, a := mbstdFeature(x, tx, mi, m, g, k, j)
			s := math.Sqrt(v + mbstdEps)
			var tmu float64
			if dtstat != nil {
				for gi := range g {
					tmu += float64(tx[(gi*m+mi)*k+j])
				}
				tmu /= float64(g)
			}
			for gi := range g {
				i := (gi*m+mi)*k + j
				d := float64(x[i]) - mu
				gx := ds * d / (kg * s)
				if dtstat != nil {
					td := float64(tx[i]) - tmu
					gx += dts / kg * (td/s - a*d/(float64(g)*s*s*s))
					dtx[i] += T(dts * d / (kg * s))
				}
				dx[i] += T(gx)
			}
		}
	}
}

// appendChannel writes [n, c+1, hw] dst as src, [n, c, hw], followed in
// every sample by a channel filled with stat[sample mod m].
func appendChannel[T Float](dst, src, stat []T, n, c, hw int) {
	m := len(stat)
	for ni := range n {
		d := dst[ni*(c+1)*hw:][:(c+1)*hw]
		copy(d, src[ni*c*hw:][:c*hw])
		s := stat[ni%m]
		for j := range hw {
			d[c*hw+j] = s
		}
	}
}

// splitChannel is the adjoint of appendChannel: it copies the first c
// channels of src, [n, c+1, hw], to dst and sets stat[mi] to the sum of the
// last channel over the pixels of the samples of group mi.
func splitChannel[T Float](dst, stat, src []T, n, c, hw int) {
	m := len(stat)
	clear(stat)
	for ni := range n {
		s := src[ni*(c+1)*hw:][:(c+1)*hw]
		copy(dst[ni*c*hw:][:c*hw], s[:c*hw])
		var sum float64
		for _, v := range s[c*hw:] {
			sum += float64(v)
		}
		stat[ni%m] += T(sum)
	}
}

// adamUpdate applies TensorFlow's ApplyAdam to one parameter array:
// m += (g − m)·c1, v += (g² − v)·c2, θ −= m·alpha/(√v + eps), with
// c1 = 1 − β1 and c2 = 1 − β2.
func adamUpdate[T Float](theta, m, v, g []T, alpha, c1, c2, eps T) {
	parallelFor(len(theta), 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := g[i]
			m[i] += (gi - m[i]) * c1
			v[i] += (gi*gi - v[i]) * c2
			theta[i] -= m[i] * alpha / (T(math.Sqrt(float64(v[i]))) + eps)
		}
	})
}

// allFinite reports whether no value is NaN or infinite.
func allFinite[T Float](x []T) bool {
	for _, v := range x {
		// v − v is NaN for NaN and ±Inf, 0 otherwise.
		if v-v != 0 {
			return false
		}
	}
	return true
}
