// Package msssim computes the multi-scale structural similarity (MS-SSIM) of
// image pairs and the Progressive GAN diversity score over an image set, as
// the original evaluation code does (metrics/ms_ssim.py of
// tkarras/progressive_growing_of_gans; docs/msssim.md), checked against the
// project's numeric oracle through the expected values of testdata/gen.py.
//
// # Definition
//
// Per scale, for every channel: a Gaussian window of size k = min(11, n)
// for an n×n scale and σ = 1.5·k/11 (MATLAB fspecial style: integer grid for
// odd k, half-integer grid for even k, normalised to sum 1), applied with
// 'valid' borders to a, b, a², b² and ab, giving the local means, variances
// and covariance; with c1 = (0.01·255)² and c2 = (0.03·255)²,
//
//	cs   = mean of (2σab + c2) / (σa² + σb² + c2)
//	ssim = mean of (2µaµb + c1)(2σab + c2) / ((µa² + µb² + c1)(σa² + σb² + c2))
//
// where the mean runs over positions and channels. Between scales both images
// are reduced by an exact 2×2 box mean. With five scales and the weights
// w = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), after clipping negative
// values to 0,
//
//	MS-SSIM = cs₀^w₀ · cs₁^w₁ · cs₂^w₂ · cs₃^w₃ · ssim₄^w₄.
//
// At 32² the scales are 32, 16, 8, 4, 2 with windows 11, 11, 8, 4, 2; at 16²
// they are 16, 8, 4, 2, 1 with windows 11, 8, 4, 2, 1.
//
// Grayscale images are tiled to three channels, as the original does; a
// gray/gray pair is computed on one channel, which gives the same means.
//
// # Sizes
//
// Images must be square with a side that is a multiple of 16 (at least 16),
// so that each of the four downsamplings between the five scales halves an
// even side. The oracle and the original code raise a numpy error for the
// other sizes, or silently misalign the 2×2 phases (12 and 24 give a number,
// computed from broadcast garbage); those are rejected here. One quirk: the
// original also downsamples after the fifth scale and discards the result;
// for sides 16·q with odd q ≥ 5 (80, 112, 144, …) that unused step fails in
// numpy, so the original cannot score them at all. This package scores them
// with every scale that is used computed exactly as for the other sizes.
//
// # Set protocol
//
// [Score] implements the paper's protocol (API.feed/end of the original and
// msssim_set of the oracle): consecutive images form pairs (0,1), (2,3), …,
// and the score is the mean MS-SSIM over the pairs. The original forms the
// pairs inside each minibatch of 256 (an even number) and the oracle's
// msssim_set drops the last image of an odd-length minibatch, which can only
// be the final one, so this is exactly "consecutive pairs over the whole
// stream, a trailing odd image dropped". The oracle sums minibatch means
// times pair counts; here the per-pair values are summed in pair order and
// divided once, which differs only by rounding (about 1e-16).
//
// # Precision
//
// The oracle keeps the images in float32 between scales (the 2×2 mean is a
// float32 sum times 0.25, which is exact for uint8 inputs over five scales)
// and forms the products a², b², ab in float32 before filtering; from
// scale 3 on those products are rounded, and this package rounds them the
// same way. The filtering is done in float64 directly with the separable
// 1-D kernel (the oracle's 2-D window is its outer product to within
// 1.2e-16) instead of FFT convolution.
//
// That reproduces the original evaluation (scipy ≤ 1.3, whose fftconvolve
// used numpy's double-precision FFT) to round-off: the tests agree to
// within 1e-12 with the oracle run with double-precision FFT input. The
// oracle as it runs under scipy ≥ 1.4 differs by up to about 2e-6 on small
// images (2e-7 at 256²): scipy.fft keeps float32 arrays in single
// precision, so its rfftn of the float32 images is computed in complex64.
// Two constant images show it: the exact MS-SSIM of 7s against 200s is
// ((2·7·200 + c1)/(7² + 200² + c1))^0.1333 = 0.70162585280239, which this
// package gives to 4e-14, while the oracle prints 0.70162693523119.
package msssim

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"sync"

	"github.com/progan/progan/planar"
)

// scales is the number of scales (five, as in the paper).
const scales = 5

// weights are the per-scale exponents of the original (they sum to 1.0001).
var weights = [scales]float64{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}

// Constants of the original: filter 11/1.5, k1 = 0.01, k2 = 0.03, max 255.
// c1 and c2 are computed at run time from float64 values, as numpy does.
var (
	k1, k2, maxVal = 0.01, 0.03, 255.0
	c1             = (k1 * maxVal) * (k1 * maxVal)
	c2             = (k2 * maxVal) * (k2 * maxVal)
)

const (
	filterSize  = 11
	filterSigma = 1.5
)

// minSize is the smallest side accepted; every side must be a multiple of it.
const minSize = 1 << (scales - 1)

// errTooFew is returned by Score for a stream with fewer than two images.
var errTooFew = errors.New("msssim: need at least 2 images")

// checkImage validates one image.
func checkImage(m *planar.Image) error {
	if m == nil {
		return errors.New("nil image")
	}
	if m.Channels != 1 && m.Channels != 3 {
		return fmt.Errorf("%d channels: want 1 or 3", m.Channels)
	}
	if m.Size < minSize || m.Size%minSize != 0 {
		return fmt.Errorf("size %d×%d: MS-SSIM's 5 scales need a side that is a positive multiple of %d", m.Size, m.Size, minSize)
	}
	if len(m.Pix) != m.Channels*m.Size*m.Size {
		return fmt.Errorf("%d bytes of pixels for %d×%d×%d", len(m.Pix), m.Channels, m.Size, m.Size)
	}
	return nil
}

// Pair returns the MS-SSIM of two images of the same size. The side must
// be a multiple of 16 (16 is the smallest: its fifth scale is 1×1). A
// grayscale image is tiled to three channels, so it may be paired with a
// colour one. The result lies in [0, 1]; identical images give exactly 1 and
// Pair(a, b) == Pair(b, a).
func Pair(a, b *planar.Image) (float64, error) {
	if err := checkImage(a); err != nil {
		return 0, fmt.Errorf("msssim: first image: %w", err)
	}
	if err := checkImage(b); err != nil {
		return 0, fmt.Errorf("msssim: second image: %w", err)
	}
	if a.Size != b.Size {
		return 0, fmt.Errorf("msssim: sizes differ: %d×%d and %d×%d", a.Size, a.Size, b.Size, b.Size)
	}
	s := scratchPool.Get().(*scratch)
	v := s.pair(a, b)
	scratchPool.Put(s)
	return v, nil
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Options configure Score.
type Options struct {
	Workers  int         // goroutines computing pairs; 0: GOMAXPROCS
	Progress func(n int) // called with the number of images just consumed, 1: a delta for a progress bar's Add (may be nil)
}

// Score runs the paper's protocol over a stream of images: consecutive
// pairs (0,1), (2,3), …, mean MS-SSIM over the pairs; a trailing odd image
// is read and dropped. It returns the score and the number of pairs.
//
// The images are copied as they arrive, so the stream may reuse them.
// Memory is bounded and independent of the stream's length: per worker,
// two pairs of images in flight plus a float32 copy of scales 1..4 of one
// pair (a third of the pixels). Pairs are computed on Options.Workers
// goroutines and summed in pair order, so the result does not depend on
// the number of workers. Progress is called from the goroutine running
// Score, after each image is taken from the stream.
//
// An error from the stream, an invalid image or an image whose size
// differs from the first one stops the run with an error naming the image
// index (0-based); cancelling ctx stops it with ctx.Err(). Fewer than two
// images is an error. Gray and colour images may be mixed (gray ones are
// tiled).
func Score(ctx context.Context, images iter.Seq2[*planar.Image, error], opt Options) (score float64, pairs int, err error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nJobs := 2 * workers
	type job struct {
		idx   int
		a, b  planar.Image
		score float64
	}
	free := make(chan *job, nJobs)
	for range nJobs {
		free <- new(job)
	}
	work := make(chan *job)
	done := make(chan *job, nJobs)

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			s := new(scratch)
			for j := range work {
				j.score = s.pair(&j.a, &j.b)
				done <- j
			}
		})
	}
	// The collector sums in pair order; a job goes back to the free list
	// only once summed, so at most nJobs pairs are unsummed and the ring
	// below never collides.
	var total float64
	var summed int
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		ring := make([]*job, nJobs)
		for j := range done {
			ring[j.idx%nJobs] = j
			for {
				k := ring[summed%nJobs]
				if k == nil || k.idx != summed {
					break
				}
				ring[summed%nJobs] = nil
				total += k.score
				summed++
				free <- k
			}
		}
	}()

	n, size := 0, 0
	var cur *job
	err = func() error {
		for img, ierr := range images {
			if ierr != nil {
				return fmt.Errorf("msssim: image %d: %w", n, ierr)
			}
			if err := checkImage(img); err != nil {
				return fmt.Errorf("msssim: image %d: %w", n, err)
			}
			if n == 0 {
				size = img.Size
			} else if img.Size != size {
				return fmt.Errorf("msssim: image %d is %d×%d, image 0 is %d×%d: all images must have the same size", n, img.Size, img.Size, size, size)
			}
			if n%2 == 0 {
				select {
				case cur = <-free:
				case <-ctx.Done():
					return ctx.Err()
				}
				copyImage(&cur.a, img)
			} else {
				copyImage(&cur.b, img)
				cur.idx = n / 2
				select {
				case work <- cur:
				case <-ctx.Done():
					return ctx.Err()
				}
				cur = nil
			}
			n++
			if opt.Progress != nil {
				opt.Progress(1)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	}()
	close(work)
	wg.Wait()
	close(done)
	<-collected
	if err != nil {
		return 0, 0, err
	}
	if n < 2 {
		return 0, 0, fmt.Errorf("%w, got %d", errTooFew, n)
	}
	return total / float64(summed), summed, nil
}

// copyImage copies src into dst, reusing dst's pixel buffer.
func copyImage(dst, src *planar.Image) {
	dst.Channels, dst.Size = src.Channels, src.Size
	dst.Pix = append(dst.Pix[:0], src.Pix...)
}

// scratch holds one worker's buffers; it is reused for every pair of the
// same size and grows when needed. Scale 0 is read from the images' bytes;
// scales 1..4 are kept as float32 planes, as the oracle keeps them, so a
// worker holds about a third of an image's pixels as float32 per image.
type scratch struct {
	size int
	// pyr[i][l] holds image i's scale l (l ≥ 1) in CHW order, with the
	// image's own channel count.
	pyr [2][scales][]float32
	// kern is the normalised 1-D Gaussian of each scale.
	kern [scales][]float64
	// ra, rb: the current rows in float64; sq: a², b², ab of the current
	// row (float32-rounded); ring: k filtered rows of 5·m values (segments
	// µa, µb, E[a²], E[b²], E[ab]); v: one row after the vertical pass.
	ra, rb []float64
	sq     [3][]float64
	ring   []float64
	v      []float64
}

// setup sizes the buffers for side n.
func (s *scratch) setup(n int) {
	if s.size == n {
		return
	}
	s.size = n
	for l := range scales {
		ns := n >> l
		if l > 0 {
			for i := range s.pyr {
				s.pyr[i][l] = make([]float32, 3*ns*ns)
			}
		}
		s.kern[l] = gauss(min(filterSize, ns))
	}
	s.ra, s.rb = make([]float64, n), make([]float64, n)
	for i := range s.sq {
		s.sq[i] = make([]float64, n)
	}
	k := min(filterSize, n)
	m := n - k + 1
	s.ring = make([]float64, k*5*m)
	s.v = make([]float64, 5*m)
}

// gauss returns the normalised 1-D kernel whose outer product with itself
// is the oracle's 2-D window of side k (σ = k·1.5/11; half-integer grid
// for even k).
func gauss(k int) []float64 {
	sigma := float64(k) * filterSigma / filterSize
	g := make([]float64, k)
	r := k / 2
	var sum float64
	for i := range g {
		x := float64(i - r)
		if k%2 == 0 {
			x += 0.5
		}
		g[i] = math.Exp(-(x * x) / (2.0 * sigma * sigma))
		sum += g[i]
	}
	for i := range g {
		g[i] /= sum
	}
	return g
}

// source is one channel plane of one scale: bytes at scale 0, float32 after.
type source struct {
	u8  []byte
	f32 []float32
}

// row converts row y of an n×n source to float64.
func (p source) row(dst []float64, y, n int) {
	dst = dst[:n]
	if p.u8 != nil {
		for i, v := range p.u8[y*n:][:n] {
			dst[i] = float64(v)
		}
		return
	}
	for i, v := range p.f32[y*n:][:n] {
		dst[i] = float64(v)
	}
}

// pair computes MS-SSIM for two validated images of equal size.
func (s *scratch) pair(a, b *planar.Image) float64 {
	n := a.Size
	s.setup(n)
	ch := 3 // a gray image is tiled: its one plane serves every channel
	if a.Channels == 1 && b.Channels == 1 {
		ch = 1
	}
	imgs := [2]*planar.Image{a, b}
	var ss, cs [scales]float64
	for l := range scales {
		ns := n >> l
		for i, m := range imgs {
			nc := m.Channels
			switch l {
			case 0:
			case 1:
				down8(s.pyr[i][1][:nc*ns*ns], m.Pix, nc, n)
			default:
				down32(s.pyr[i][l][:nc*ns*ns], s.pyr[i][l-1][:nc*4*ns*ns], nc, 2*ns)
			}
		}
		plane := func(i, c int) source {
			m := imgs[i]
			c = min(c, m.Channels-1)
			if l == 0 {
				return source{u8: m.Pix[c*ns*ns:][:ns*ns]}
			}
			return source{f32: s.pyr[i][l][c*ns*ns:][:ns*ns]}
		}
		last := l == scales-1
		k := len(s.kern[l])
		m := ns - k + 1
		var sum float64
		for c := range ch {
			sum += s.plane(plane(0, c), plane(1, c), ns, s.kern[l], last)
		}
		v := max(sum/float64(ch*m*m), 0) // clip negative values, as the original
		if last {
			ss[l] = v
		} else {
			cs[l] = v
		}
	}
	r := 1.0
	for l := range scales - 1 {
		r *= math.Pow(cs[l], weights[l])
	}
	return r * math.Pow(ss[scales-1], weights[scales-1])
}

// down8 and down32 are the oracle's 2×2 box mean in float32:
// ((x00 + x10) + x01 + x11)·0.25, x10 being the pixel below x00 and x01
// the one to its right (numpy's x[0::2,0::2] + x[1::2,0::2] +
// x[0::2,1::2] + x[1::2,1::2]). From uint8 over five scales every step is
// exact, but the float32 order is kept anyway.
func down8(dst []float32, src []byte, ch, n int) {
	h := n / 2
	for c := range ch {
		s := src[c*n*n:][:n*n]
		d := dst[c*h*h:][:h*h]
		for y := range h {
			r0 := s[2*y*n:][:2*h]
			r1 := s[(2*y+1)*n:][:2*h]
			dr := d[y*h:][:h]
			for x := range dr {
				t := float32(r0[2*x]) + float32(r1[2*x])
				t = float32(t + float32(r0[2*x+1]))
				t = float32(t + float32(r1[2*x+1]))
				dr[x] = t * 0.25
			}
		}
	}
}

func down32(dst, src []float32, ch, n int) {
	h := n / 2
	for c := range ch {
		s := src[c*n*n:][:n*n]
		d := dst[c*h*h:][:h*h]
		for y := range h {
			r0 := s[2*y*n:][:2*h]
			r1 := s[(2*y+1)*n:][:2*h]
			dr := d[y*h:][:h]
			for x := range dr {
				t := float32(r0[2*x] + r1[2*x])
				t = float32(t + r0[2*x+1])
				t = float32(t + r1[2*x+1])
				dr[x] = t * 0.25
			}
		}
	}
}

// plane filters one channel of one scale and returns the sum over the
// valid positions of cs (or of ssim when last).
func (s *scratch) plane(a, b source, n int, g []float64, last bool) float64 {
	k := len(g)
	m := n - k + 1
	ring := s.ring[:k*5*m]
	ra, rb := s.ra[:n], s.rb[:n]
	aa, bb, ab := s.sq[0][:n], s.sq[1][:n], s.sq[2][:n]
	var sum float64
	for y := range n {
		a.row(ra, y, n)
		b.row(rb, y, n)
		for i := range ra {
			x, z := ra[i], rb[i]
			// float32 products, as the oracle's a*a, b*b, a*b on float32
			// arrays (the float64 product of float32 values is exact, so
			// rounding it to float32 is the float32 product).
			aa[i] = float64(float32(x * x))
			bb[i] = float64(float32(z * z))
			ab[i] = float64(float32(x * z))
		}
		h := ring[(y%k)*5*m:][:5*m]
		hconv(h[0*m:][:m], ra, g)
		hconv(h[1*m:][:m], rb, g)
		hconv(h[2*m:][:m], aa, g)
		hconv(h[3*m:][:m], bb, g)
		hconv(h[4*m:][:m], ab, g)
		if y < k-1 {
			continue
		}
		v := s.v[:5*m]
		vconv(v, ring, y-k+1, k, 5*m, g)
		sum += combine(v, m, last)
	}
	return sum
}

// hconv is the 'valid' 1-D filter of src with g into dst (len(src)-len(g)+1 values).
func hconv(dst, src []float64, g []float64) {
	if len(g) == 11 {
		g0, g1, g2, g3, g4, g5 := g[0], g[1], g[2], g[3], g[4], g[5]
		src = src[:len(dst)+10]
		for i := range dst {
			x := src[i : i+11 : i+11]
			dst[i] = g5*x[5] + g0*(x[0]+x[10]) + g1*(x[1]+x[9]) + g2*(x[2]+x[8]) + g3*(x[3]+x[7]) + g4*(x[4]+x[6])
		}
		return
	}
	k := len(g)
	for i := range dst {
		x := src[i : i+k]
		var t float64
		for j, w := range g {
			t += w * x[j]
		}
		dst[i] = t
	}
}

// vconv filters the k ring rows starting at logical row top vertically
// into v (w values per row).
func vconv(v, ring []float64, top, k, w int, g []float64) {
	row := func(j int) []float64 { return ring[((top+j)%k)*w:][:len(v)] }
	if k == 11 {
		r0, r1, r2, r3, r4, r5 := row(0), row(1), row(2), row(3), row(4), row(5)
		r6, r7, r8, r9, r10 := row(6), row(7), row(8), row(9), row(10)
		g0, g1, g2, g3, g4, g5 := g[0], g[1], g[2], g[3], g[4], g[5]
		for i := range v {
			v[i] = g5*r5[i] + g0*(r0[i]+r10[i]) + g1*(r1[i]+r9[i]) + g2*(r2[i]+r8[i]) + g3*(r3[i]+r7[i]) + g4*(r4[i]+r6[i])
		}
		return
	}
	r := row(0)
	for i := range v {
		v[i] = g[0] * r[i]
	}
	for j := 1; j < k; j++ {
		r := row(j)
		w := g[j]
		for i := range v {
			v[i] += w * r[i]
		}
	}
}

// combine turns one filtered row (segments µa, µb, E[a²], E[b²], E[ab] of
// m values) into the sum of cs, or of ssim when last.
func combine(v []float64, m int, last bool) float64 {
	mua, mub := v[0*m:][:m], v[1*m:][:m]
	eaa, ebb, eab := v[2*m:][:m], v[3*m:][:m], v[4*m:][:m]
	var sum float64
	for i := range mua {
		// The float64 conversions keep each product rounded on its own
		// (no fused multiply-add on any platform), so that swapping a and
		// b gives the same bits and a == b gives exactly 1.
		ma, mb := mua[i], mub[i]
		paa, pbb, pab := float64(ma*ma), float64(mb*mb), float64(ma*mb)
		saa := eaa[i] - paa
		sbb := ebb[i] - pbb
		sab := eab[i] - pab
		v1 := 2.0*sab + c2
		v2 := saa + sbb + c2
		if last {
			sum += ((2.0*pab + c1) * v1) / ((paa + pbb + c1) * v2)
		} else {
			sum += v1 / v2
		}
	}
	return sum
}
