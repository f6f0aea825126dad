package swd

// The Laplacian pyramid of docs/swd.md#algorithm and the 7x7x3
// neighbourhoods cut from it, for one image at a time.
//
// The original filters with scipy.ndimage.convolve (5x5 kernel, mode
// 'mirror') in float32 arrays, summing each output pixel in double. Every
// sum below is the same set of products, formed with the integer weights
// 1 4 6 4 1 and scaled by a power of two at the end, also summed in double
// and rounded once to float32. Wherever the double sum is exact (always for
// the first three blurs, whose inputs are multiples of 2^-16 at worst, and
// for later ones unless a neighbourhood mixes values more than 2^23 apart)
// the result is bit-identical to scipy's, whatever the order of summation.

const (
	nhood    = 7   // neighbourhood side
	half     = 3   // nhood / 2
	perImage = 128 // neighbourhoods per image per level
	nchan    = 3
	dim      = nchan * nhood * nhood // 147 values per descriptor
	group    = 16                    // descriptors interleaved per panel
	minRes   = MinSize
)

// mirror maps i into [0, n) as scipy's mode 'mirror' (d c b | a b c d | c b a).
func mirror(i, n int) int {
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		} else {
			i = 2*(n-1) - i
		}
	}
	return i
}

// levelSizes returns the sizes of the pyramid levels for an image of side n:
// one per entry of resolutions(n), each the previous one halved upwards
// (numpy's [::2]).
func levelSizes(n int) []int {
	var out []int
	for r := n; r >= minRes; r /= 2 {
		out = append(out, n)
		n = (n + 1) / 2
	}
	return out
}

// resolutions returns the original's level names: n halved downwards while
// at least 16.
func resolutions(n int) []int {
	var out []int
	for r := n; r >= minRes; r /= 2 {
		out = append(out, r)
	}
	return out
}

// tap is one nonzero term of the upsampling filter along one axis: the
// low-pass index it reads and its integer weight.
type tap struct {
	idx int32
	w   float64
}

// upTaps lists, for every output index p of an axis of length n, the taps
// of "insert zeros at odd indices, then filter with 1 4 6 4 1 (mirror)",
// in order of increasing filter offset.
type upTaps struct {
	n   int
	num []uint8
	t   [][3]tap
}

var binom = [5]float64{1, 4, 6, 4, 1}

func newUpTaps(n int) *upTaps {
	u := &upTaps{n: n, num: make([]uint8, n), t: make([][3]tap, n)}
	for p := range n {
		for o := -2; o <= 2; o++ {
			q := mirror(p+o, n)
			if q%2 == 0 {
				u.t[p][u.num[p]] = tap{int32(q / 2), binom[o+2]}
				u.num[p]++
			}
		}
	}
	return u
}

// up returns pyr_up(low) at (row, col) as scipy stores it: the double sum
// of the 4K-weighted zero-inserted neighbours, rounded to float32. low is
// m×m with m = ceil(n/2).
func (u *upTaps) up(low []float32, m, row, col int) float32 {
	rt, ct := &u.t[row], &u.t[col]
	nr, nc := int(u.num[row]), int(u.num[col])
	var s float64
	for i := range nr {
		r := low[int(rt[i].idx)*m:]
		var h float64
		for j := range nc {
			h += ct[j].w * float64(r[ct[j].idx])
		}
		s += rt[i].w * h
	}
	return float32(s * (1.0 / 64))
}

// blurDown computes pyr_down of the n×n plane src (read through at, which
// converts one row to float64) into dst (m×m, m = ceil(n/2)), using h
// (n·m float64) as scratch.
func blurDown(dst []float32, n int, row func(y int, buf []float64), rbuf, h []float64) {
	m := (n + 1) / 2
	// Horizontal pass at even columns, every row.
	jmax := (n - 3) / 2 // last j with 2j+2 <= n-1
	for y := range n {
		row(y, rbuf)
		x := rbuf[:n]
		hr := h[y*m : y*m+m]
		for j := 1; j <= jmax; j++ {
			i := 2 * j
			hr[j] = (x[i-2] + 4*x[i-1]) + 6*x[i] + (4*x[i+1] + x[i+2])
		}
		for j := 0; j < m; j++ {
			if j == 1 {
				j = max(jmax+1, 1)
				if j >= m {
					break
				}
			}
			var s float64
			for o := -2; o <= 2; o++ {
				s += binom[o+2] * x[mirror(2*j+o, n)]
			}
			hr[j] = s
		}
	}
	// Vertical pass at even rows.
	for i := range m {
		var r [5][]float64
		for o := -2; o <= 2; o++ {
			y := mirror(2*i+o, n)
			r[o+2] = h[y*m : y*m+m]
		}
		d := dst[i*m : i*m+m]
		r0, r1, r2, r3, r4 := r[0][:m], r[1][:m], r[2][:m], r[3][:m], r[4][:m]
		for j := range d {
			d[j] = float32(((r0[j] + 4*r1[j]) + 6*r2[j] + (4*r3[j] + r4[j])) * (1.0 / 256))
		}
	}
}

// pyrScratch is one worker's buffers for the pyramid of one plane.
type pyrScratch struct {
	sizes []int
	low   [][]float32 // low-pass planes of levels 1..L-1 (level 0 is the image)
	band  []float32   // one full band-pass level, for small levels
	hu    []float64   // its horizontally upsampled low-pass rows
	rbuf  []float64
	h     []float64
	v     []uint16  // one row of the first level's vertical pass
	taps  []*upTaps // per level below the last
}

func newPyrScratch(n int) *pyrScratch {
	s := &pyrScratch{sizes: levelSizes(n)}
	L := len(s.sizes)
	s.low = make([][]float32, L)
	for l := 1; l < L; l++ {
		s.low[l] = make([]float32, s.sizes[l]*s.sizes[l])
	}
	s.rbuf = make([]float64, n)
	s.v = make([]uint16, (n+15)&^15)
	s.h = make([]float64, n*((n+1)/2))
	s.taps = make([]*upTaps, L)
	for l := 0; l < L-1; l++ {
		s.taps[l] = newUpTaps(s.sizes[l])
		if n := s.sizes[l]; fullBand(n) && len(s.band) < n*n {
			s.band = make([]float32, n*n)
			s.hu = make([]float64, n*s.sizes[l+1])
		}
	}
	return s
}

// fullBand reports whether a band-pass level of side n is cheaper to
// compute whole (about 5 flops a pixel in straight loops) than at the
// 128·49 pixels of its neighbourhoods (through the tap tables).
func fullBand(n int) bool { return n <= 256 }

// plane is one channel of the source image at full resolution.
type plane []byte

// build computes the low-pass planes of levels 1..L-1 from p.
func (s *pyrScratch) build(p plane) {
	n := s.sizes[0]
	if !blurDownU8(s.low[1], p, n, s.v) {
		blurDown(s.low[1], n, func(y int, buf []float64) {
			r := p[y*n : y*n+n]
			for i, v := range r {
				buf[i] = float64(v)
			}
		}, s.rbuf, s.h)
	}
	for l := 2; l < len(s.sizes); l++ {
		src, m := s.low[l-1], s.sizes[l-1]
		blurDown(s.low[l], m, func(y int, buf []float64) {
			r := src[y*m : y*m+m]
			for i, v := range r {
				buf[i] = float64(v)
			}
		}, s.rbuf, s.h)
	}
}

// lowAt returns level l's low-pass value at (y, x) before the subtraction
// (level 0: the image itself as float32).
func (s *pyrScratch) lowAt(p plane, l, y, x int) float32 {
	n := s.sizes[l]
	if l == 0 {
		return float32(p[y*n+x])
	}
	return s.low[l][y*n+x]
}

// bandPlane fills s.band with the whole band-pass level l (< L-1). It
// forms the same sums as upTaps.up, in the same order (horizontal taps of
// each low-pass row, then the vertical taps), so the two agree bit for bit.
func (s *pyrScratch) bandPlane(p plane, l int) []float32 {
	n, m := s.sizes[l], s.sizes[l+1]
	b := s.band[:n*n]
	u, low := s.taps[l], s.low[l+1]
	hu := s.hu[:m*n]
	// Horizontal: every low-pass row, zero-inserted and filtered.
	for r := range m {
		lr := low[r*m : r*m+m]
		ur := hu[r*n : r*n+n]
		for q := 0; q < n; q++ {
			if q == 2 {
				q = n - 2
				// Interior: no mirroring.
				for t := 1; 2*t <= n-3; t++ {
					ur[2*t] = 1*float64(lr[t-1]) + 6*float64(lr[t]) + 1*float64(lr[t+1])
				}
				for t := 1; 2*t+1 <= n-3; t++ {
					ur[2*t+1] = 4*float64(lr[t]) + 4*float64(lr[t+1])
				}
			}
			var h float64
			ct := &u.t[q]
			for j := range int(u.num[q]) {
				h += ct[j].w * float64(lr[ct[j].idx])
			}
			ur[q] = h
		}
	}
	// Vertical, and the difference.
	for y := range n {
		rt, nr := &u.t[y], int(u.num[y])
		br := b[y*n : y*n+n]
		r0 := hu[int(rt[0].idx)*n : int(rt[0].idx)*n+n]
		r1 := hu[int(rt[1].idx)*n : int(rt[1].idx)*n+n]
		w0, w1 := rt[0].w, rt[1].w
		if l == 0 {
			src := p[y*n : y*n+n]
			if nr == 2 {
				for x := range br {
					br[x] = float32(src[x]) - float32((w0*r0[x]+w1*r1[x])*(1.0/64))
				}
			} else {
				r2, w2 := hu[int(rt[2].idx)*n:int(rt[2].idx)*n+n], rt[2].w
				for x := range br {
					br[x] = float32(src[x]) - float32((w0*r0[x]+w1*r1[x]+w2*r2[x])*(1.0/64))
				}
			}
			continue
		}
		src := s.low[l][y*n : y*n+n]
		if nr == 2 {
			for x := range br {
				br[x] = src[x] - float32((w0*r0[x]+w1*r1[x])*(1.0/64))
			}
		} else {
			r2, w2 := hu[int(rt[2].idx)*n:int(rt[2].idx)*n+n], rt[2].w
			for x := range br {
				br[x] = src[x] - float32((w0*r0[x]+w1*r1[x]+w2*r2[x])*(1.0/64))
			}
		}
	}
	return b
}

// at returns the index in a panel-layout buffer (see store) of value k of
// descriptor i.
func at(i, k int) int { return i/group*panelLen + k*group + i%group }

// patches writes level l's values of the neighbourhoods centred at
// (cx[i], cy[i]) for channel ch into out, in panel layout: value
// k = ch*49 + a*7 + b of descriptor i, where a walks the columns and b the
// rows (the original's order), goes to out[at(i, k)].
func (s *pyrScratch) patches(p plane, l, ch int, cx, cy []int32, out []float32) {
	L := len(s.sizes)
	n := s.sizes[l]
	k0 := ch * nhood * nhood
	if l == 0 && L == 1 { // a single level: the image itself
		for i := range cx {
			x0, y0 := int(cx[i])-half, int(cy[i])-half
			o := out[at(i, k0):]
			for a := range nhood {
				for b := range nhood {
					o[(a*nhood+b)*group] = float32(p[(y0+b)*n+x0+a])
				}
			}
		}
		return
	}
	var src []float32
	switch {
	case l == L-1:
		src = s.low[l]
	case fullBand(n):
		src = s.bandPlane(p, l)
	}
	for i := range cx {
		x0, y0 := int(cx[i])-half, int(cy[i])-half
		o := out[at(i, k0):]
		if src != nil {
			o = o[:(nhood*nhood-1)*group+1]
			for b := range nhood {
				row := src[(y0+b)*n+x0 : (y0+b)*n+x0+nhood]
				for a, v := range row {
					o[(a*nhood+b)*group] = v
				}
			}
			continue
		}
		u, low, m := s.taps[l], s.low[l+1], s.sizes[l+1]
		for a := range nhood {
			for b := range nhood {
				y, x := y0+b, x0+a
				o[(a*nhood+b)*group] = s.lowAt(p, l, y, x) - u.up(low, m, y, x)
			}
		}
	}
}
