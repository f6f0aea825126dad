package swd

import (
	"runtime"

	"github.com/progan/progan/internal/parallel"
)

// A level's descriptors live in chunks of chunkImages images. Inside a
// chunk, each image owns perImage/group panels; a panel holds group
// descriptors value-major (value k of descriptor i at k*group + i), the
// layout the projection kernel reads directly.
//
// A level is stored in float32, exactly as the original holds it, in
// Numpy mode; in the default mode in 16 bits: band-pass levels as half
// floats (see half.go), the low-pass level, whose values lie in [0, 255],
// as the fixed-point number round(256·(v - 128)) (absolute error at most
// 2^-9; exact for the two-level pyramids of images below 64², whose
// low-pass values are multiples of 1/256).
const (
	chunkImages = 256
	panelLen    = group * dim
	imagePanels = perImage / group
	chunkPanels = chunkImages * imagePanels
)

// store is one level's descriptors of one image set, with what is needed
// for the per-channel standardisation.
type store struct {
	maps  []*mapping     // the chunks' memory (keep s reachable while using it)
	float bool           // float32 storage, else 16 bits
	fixed bool           // 16 bits: int16 fixed point of v - 128, else half floats
	half  [][]uint16     // chunks, 16 bits
	full  [][]float32    // chunks, float32: centred in place at the end of Collect
	sum   [nchan]float64 // of the values before rounding (16 bits; fixed: of v - 128)
	sumSq [nchan]float64
	mean  [nchan]float64 // of the values the stored ones stand for (0 once float32 ones are centred)
	std   [nchan]float64
}

// grow adds a chunk.
func (s *store) grow() {
	const n = chunkImages * perImage * dim
	if s.float {
		m := newMapping(4 * n)
		s.maps = append(s.maps, m)
		s.full = append(s.full, mappedSlice[float32](m, n))
	} else {
		m := newMapping(2 * n)
		s.maps = append(s.maps, m)
		s.half = append(s.half, mappedSlice[uint16](m, n))
	}
}

// bytes returns the memory held.
func (s *store) bytes() int64 {
	return int64(len(s.half))*2*chunkImages*perImage*dim + int64(len(s.full))*4*chunkImages*perImage*dim
}

// halfPanels and fullPanels return the run of at most max panels starting
// at panel p that lies in one chunk.
func (s *store) halfPanels(p, max int) []uint16 {
	c, o := p/chunkPanels, p%chunkPanels
	return s.half[c][o*panelLen : (o+min(max, chunkPanels-o))*panelLen]
}

func (s *store) fullPanels(p, max int) []float32 {
	c, o := p/chunkPanels, p%chunkPanels
	return s.full[c][o*panelLen : (o+min(max, chunkPanels-o))*panelLen]
}

// projection is a block of directions prepared for one store: scaled by
// the store's standardisation, in the kernel's layout.
type projection struct {
	n     int       // directions
	rows  []float32 // n × dim, row-major (portable path)
	tiles []float32 // ceil(n/6) tiles of dim × 6 (AVX2 path)
	shift []float64 // per direction: the standardisation's constant term
}

// prepare folds s's standardisation into the directions d (n × dim, the
// unit directions as float32, as the original casts them): the
// standardised projection of a stored descriptor x is
// Σ_k p.rows[j][k]·x[k] + p.shift[j].
func prepare(d []float32, n int, s *store) *projection {
	p := &projection{n: n, rows: make([]float32, n*dim), shift: make([]float64, n)}
	var scale, off [nchan]float64
	for c := range nchan {
		scale[c] = 1 / s.std[c]
		off[c] = -s.mean[c] / s.std[c]
		if s.fixed { // stored q stands for q/256 (+ 128, in the mean)
			scale[c] /= 256
		}
	}
	for j := range n {
		var sh float64
		for k := range dim {
			v := float64(d[j*dim+k])
			p.rows[j*dim+k] = float32(v * scale[k/(nhood*nhood)])
			sh += v * off[k/(nhood*nhood)]
		}
		p.shift[j] = sh
	}
	if useAVX2 {
		nt := (n + 5) / 6
		p.tiles = make([]float32, nt*6*dim)
		for j := range n {
			t, r := j/6, j%6
			for k := range dim {
				p.tiles[t*6*dim+k*6+r] = p.rows[j*dim+k]
			}
		}
	}
	return p
}

// project writes direction j's projection of descriptor i (without the
// constant shift), as a sort key (see radix.go), to out[j*m + i], m = the
// number of descriptors, on workers goroutines.
func project(s *store, m int, p *projection, out []float32, workers int) {
	npanels := m / group
	const step = 32 // panels per work item
	workers = workerCount(workers)
	bufs := make([][]float32, workers)
	parallel.For(npanels, step, workers, func(w, p0, end int) {
		buf := bufs[w]
		if buf == nil && !useAVX2 {
			buf = make([]float32, step*group*dim)
			bufs[w] = buf
		}
		for q := p0; q < end; {
			var np int
			if s.float {
				src := s.fullPanels(q, end-q)
				np = len(src) / panelLen
				if useAVX2 {
					panelsFloatFast(out[q*group:], m, src, np, p.tiles, p.n)
				} else {
					panelsPortable(out[q*group:], m, nil, src, np, false, buf, p)
				}
			} else {
				src := s.halfPanels(q, end-q)
				np = len(src) / panelLen
				if useAVX2 {
					panelsHalfFast(out[q*group:], m, src, np, s.fixed, p.tiles, p.n)
				} else {
					panelsPortable(out[q*group:], m, src, nil, np, s.fixed, buf, p)
				}
			}
			q += np
		}
	})
	runtime.KeepAlive(s) // the chunks' memory
}

// panelsPortable is the kernels' portable equivalent (for CPUs without
// AVX2): it expands the panels (16-bit or float32) to float32 rows and
// forms the dot products four directions at a time.
func panelsPortable(dst []float32, ldc int, half []uint16, full []float32, npanel int, fixed bool, buf []float32, p *projection) {
	n := npanel * group
	x := buf[:n*dim]
	ht := halfTable()
	for q := range npanel {
		for k := range dim {
			for i := range group {
				o := q*panelLen + k*group + i
				var f float32
				switch {
				case fixed:
					f = float32(int16(half[o]))
				case half != nil:
					f = ht[half[o]]
				default:
					f = full[o]
				}
				x[(q*group+i)*dim+k] = f
			}
		}
	}
	j := 0
	for ; j+4 <= p.n; j += 4 {
		d0 := p.rows[j*dim : j*dim+dim]
		d1 := p.rows[(j+1)*dim : (j+1)*dim+dim]
		d2 := p.rows[(j+2)*dim : (j+2)*dim+dim]
		d3 := p.rows[(j+3)*dim : (j+3)*dim+dim]
		for i := range n {
			xi := x[i*dim : i*dim+dim]
			var s0, s1, s2, s3 float32
			for k, v := range xi {
				s0 += d0[k] * v
				s1 += d1[k] * v
				s2 += d2[k] * v
				s3 += d3[k] * v
			}
			dst[j*ldc+i], dst[(j+1)*ldc+i], dst[(j+2)*ldc+i], dst[(j+3)*ldc+i] = s0, s1, s2, s3
		}
	}
	for ; j < p.n; j++ {
		d := p.rows[j*dim : j*dim+dim]
		for i := range n {
			var s float32
			for k, v := range x[i*dim : i*dim+dim] {
				s += d[k] * v
			}
			dst[j*ldc+i] = s
		}
	}
	for j := range p.n {
		toKeys(dst[j*ldc : j*ldc+n])
	}
}

func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}
