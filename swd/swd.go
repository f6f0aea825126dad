package swd

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"runtime"
	"unsafe"

	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/planar"
)

// Protocol constants (docs/swd.md#constants).
const (
	Repeats       = 4   // direction repeats
	DirsPerRepeat = 128 // directions per repeat
	MinImages     = 2   // per set; both sets must have the same number
	MinSize       = 16  // smallest image side (the last level is at least 16×16)
)

// Options configure an Evaluator or Distance.
type Options struct {
	// Seed selects the random neighbourhoods and directions; the same seed
	// gives the same result. In Numpy mode it is the RandomState seed and
	// must be in [0, 2^32).
	Seed uint64
	// Numpy draws from numpy's legacy RandomState(Seed) in exactly the
	// order of the oracle (swdref.py) and the original, with the original's
	// minibatch rule clip(8192 // res, 4, 256), so that results match
	// theirs for the same seed.
	Numpy bool
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
	// Progress, if set, is called after every image, in order, with the
	// number of images just described: 1. It counts a delta, as every
	// progress callback of this module does, so that a progress bar's Add
	// can be given as it is (Distance: both sets, reals first).
	Progress func(images int)

	minibatch int  // numpy mode: override the minibatch rule (tests)
	compact   bool // numpy mode: 16-bit storage as in the default mode (tests)
}

// Result is one comparison: SWD×1e3 per level, highest resolution first,
// and their mean.
type Result struct {
	Resolutions []int     `json:"resolutions"` // e.g. [1024 512 ... 16]
	SWD         []float64 `json:"swd"`         // ×1e3 per level
	Avg         float64   `json:"avg"`
	Images      int       `json:"images"` // per set
	Seed        uint64    `json:"seed"`
}

// Distance scores fakes against reals: both are streams of square images
// of one size (at least 16), 3-channel or gray (tiled to RGB, as the
// original does), with the same number of images, at least MinImages.
// Each stream is read once. It runs the original's sequence on one
// Evaluator: Collect(reals), Compare(reals, reals) (always 0; in Numpy mode
// it consumes the direction draws the original spends on it),
// Collect(fakes), Compare(reals, fakes).
func Distance(ctx context.Context, reals, fakes iter.Seq2[*planar.Image, error], opt Options) (*Result, error) {
	e, err := New(opt)
	if err != nil {
		return nil, err
	}
	a, err := e.Collect(ctx, reals)
	if err != nil {
		return nil, fmt.Errorf("reals: %w", err)
	}
	if _, err := e.Compare(ctx, a, a); err != nil {
		return nil, err
	}
	b, err := e.Collect(ctx, fakes)
	if err != nil {
		return nil, fmt.Errorf("fakes: %w", err)
	}
	return e.Compare(ctx, a, b)
}

// An Evaluator owns the random stream of a sequence of Collect and Compare
// calls, like the global numpy stream of the original evaluation.
//
// In the default mode every draw is a function of the seed alone: the
// neighbourhoods of image i of the k-th set collected, and the directions
// of each level and repeat (the same for every Compare, so that scores of
// several fake sets against one real set share their directions). In
// Numpy mode Collect and Compare draw from one RandomState in call order,
// so the sequence Collect(A), Compare(A, A), Collect(B), Compare(A, B)
// reproduces swdref.swd(A, B, seed), and the same with B the second half
// of the reals reproduces the original's "Reals2" noise-floor row.
//
// An Evaluator is not safe for concurrent use.
type Evaluator struct {
	opt    Options
	np     *nprand.RandomState
	sets   int
	images int
}

// New returns an Evaluator.
func New(opt Options) (*Evaluator, error) {
	e := &Evaluator{opt: opt}
	if opt.Numpy {
		if opt.Seed > math.MaxUint32 {
			return nil, fmt.Errorf("swd: numpy seed %d is not in [0, 2^32)", opt.Seed)
		}
		e.np = nprand.New(uint32(opt.Seed))
	}
	return e, nil
}

// Descriptors are one image set's neighbourhood descriptors, every level
// (in 16 bits, or float32 in Numpy mode: see the package comment).
type Descriptors struct {
	size     int
	res      []int
	sizes    []int
	n        int
	levels   []*store
	released bool
}

// Images returns the number of images described.
func (d *Descriptors) Images() int { return d.n }

// Resolutions returns the levels' resolutions, highest first.
func (d *Descriptors) Resolutions() []int { return append([]int(nil), d.res...) }

// Release frees the descriptors' memory now rather than when they become
// unreachable (the collector may take a while to notice, as it does not
// see this memory). They cannot be compared afterwards.
func (d *Descriptors) Release() {
	for _, s := range d.levels {
		for _, m := range s.maps {
			m.release()
		}
	}
	d.levels, d.released = nil, true
}

// Bytes returns the memory held by the descriptors.
func (d *Descriptors) Bytes() int64 {
	var b int64
	for _, s := range d.levels {
		b += s.bytes()
	}
	return b
}

// job is one image with its neighbourhood centres and where its
// descriptors go.
type job struct {
	idx    int
	img    *planar.Image
	cx, cy [][]int32   // per level
	half   [][]uint16  // per level stored as half floats: where the image's descriptors go
	full   [][]float32 // the same for levels stored in float32
	err    error
}

// imageSums are one image's per-level, per-channel sums of its descriptor
// values (minus 128 at fixed-point levels) and of their squares (levels
// stored in 16 bits only).
type imageSums [][nchan][2]float64

// minibatch is the original's rule clip(8192 // res, 4, 256).
func minibatch(res int) int { return min(max(8192/res, 4), 256) }

// Collect describes every image of the stream: its Laplacian pyramid and
// 128 random 7×7×3 neighbourhoods per level. Images are read once, in
// order, and described on Workers goroutines.
func (e *Evaluator) Collect(ctx context.Context, images iter.Seq2[*planar.Image, error]) (*Descriptors, error) {
	set := e.sets
	e.sets++
	d := &Descriptors{}
	workers := workerCount(e.opt.Workers)
	free := make(chan *workScratch, workers) // scratch memory, reused

	jobs := func(yield func(job) bool) {
		var batch []job
		mb := 1
		flush := func() bool {
			e.centres(batch, d, set)
			for _, j := range batch {
				if !yield(j) {
					return false
				}
			}
			batch = batch[:0]
			return true
		}
		idx := 0
		for img, err := range images {
			if err != nil {
				yield(job{err: fmt.Errorf("image %d: %w", idx, err)})
				return
			}
			if err := d.check(idx, img, e.opt.Numpy && !e.opt.compact); err != nil {
				yield(job{err: err})
				return
			}
			if idx == 0 {
				if e.opt.Numpy {
					mb = minibatch(d.size)
					if e.opt.minibatch > 0 {
						mb = e.opt.minibatch
					}
				}
			}
			if idx%chunkImages == 0 {
				for _, s := range d.levels {
					s.grow()
				}
			}
			j := job{idx: idx, img: img, half: make([][]uint16, len(d.levels)), full: make([][]float32, len(d.levels))}
			o := idx % chunkImages * imagePanels * panelLen
			for l, s := range d.levels {
				if s.float {
					j.full[l] = s.full[len(s.full)-1][o : o+imagePanels*panelLen]
				} else {
					j.half[l] = s.half[len(s.half)-1][o : o+imagePanels*panelLen]
				}
			}
			batch = append(batch, j)
			idx++
			if len(batch) == mb && !flush() {
				return
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}

	for sums, err := range parallel.Map(ctx, iter.Seq[job](jobs), workers, func(j job) (imageSums, error) {
		if j.err != nil {
			return nil, j.err
		}
		var w *workScratch
		select {
		case w = <-free:
		default:
			w = newWorkScratch(d.size)
		}
		defer func() {
			select {
			case free <- w:
			default:
			}
		}()
		return w.describe(j, d.sizes), nil
	}) {
		if err != nil {
			return nil, err
		}
		for l, s := range d.levels {
			for c := range nchan {
				s.sum[c] += sums[l][c][0]
				s.sumSq[c] += sums[l][c][1]
			}
		}
		d.n++
		e.images++
		if e.opt.Progress != nil {
			e.opt.Progress(1)
		}
	}
	runtime.KeepAlive(d) // the workers wrote into its chunks
	if d.n < MinImages {
		return nil, fmt.Errorf("swd: %d images; at least %d are needed", d.n, MinImages)
	}
	cnt := float64(d.n * perImage * nhood * nhood)
	for l, s := range d.levels {
		if s.float {
			standardiseFull(s, d.n*perImage, workers)
		}
		for c := range nchan {
			if !s.float {
				m := s.sum[c] / cnt
				s.mean[c] = m
				s.std[c] = math.Sqrt(max(s.sumSq[c]/cnt-m*m, 0))
			}
			if !(s.std[c] > 0) {
				return nil, fmt.Errorf("swd: level %d (%d×%d), channel %d: no variation across the set", l, d.res[l], d.res[l], c)
			}
		}
	}
	return d, nil
}

// check validates image idx and, for the first, sets the geometry.
func (d *Descriptors) check(idx int, img *planar.Image, float bool) error {
	if img == nil {
		return fmt.Errorf("image %d: nil", idx)
	}
	if img.Channels != 1 && img.Channels != 3 {
		return fmt.Errorf("image %d: %d channels (want 1 or 3)", idx, img.Channels)
	}
	if len(img.Pix) != img.Channels*img.Size*img.Size {
		return fmt.Errorf("image %d: %d bytes for %d×%d×%d", idx, len(img.Pix), img.Channels, img.Size, img.Size)
	}
	if idx == 0 {
		if img.Size < MinSize {
			return fmt.Errorf("image 0: %d×%d is smaller than %d×%d", img.Size, img.Size, MinSize, MinSize)
		}
		d.size = img.Size
		d.res = resolutions(img.Size)
		d.sizes = levelSizes(img.Size)
		for l := range d.sizes {
			d.levels = append(d.levels, &store{float: float, fixed: !float && l == len(d.sizes)-1})
		}
		return nil
	}
	if img.Size != d.size {
		return fmt.Errorf("image %d: %d×%d, but image 0 is %d×%d", idx, img.Size, img.Size, d.size, d.size)
	}
	return nil
}

// centres draws the neighbourhood centres of a batch of images: in Numpy
// mode for the whole minibatch, per level, the column centres of all its
// neighbourhoods then the row centres; otherwise from a stream per image.
func (e *Evaluator) centres(batch []job, d *Descriptors, set int) {
	L := len(d.sizes)
	for i := range batch {
		batch[i].cx = make([][]int32, L)
		batch[i].cy = make([][]int32, L)
	}
	if e.np != nil {
		k := len(batch) * perImage
		for l, w := range d.sizes {
			cx, cy := make([]int32, k), make([]int32, k)
			for i := range cx {
				cx[i] = int32(e.np.Randint(half, int64(w-half)))
			}
			for i := range cy {
				cy[i] = int32(e.np.Randint(half, int64(w-half)))
			}
			for i := range batch {
				batch[i].cx[l] = cx[i*perImage : (i+1)*perImage]
				batch[i].cy[l] = cy[i*perImage : (i+1)*perImage]
			}
		}
		return
	}
	for i := range batch {
		r := rand.New(rand.NewPCG(uint64(e.opt.Seed), uint64(set)<<40|uint64(batch[i].idx)))
		for l, w := range d.sizes {
			cx, cy := make([]int32, perImage), make([]int32, perImage)
			for p := range cx {
				cx[p] = int32(half + r.IntN(w-2*half))
			}
			for p := range cy {
				cy[p] = int32(half + r.IntN(w-2*half))
			}
			batch[i].cx[l], batch[i].cy[l] = cx, cy
		}
	}
}

// workScratch is one worker's memory.
type workScratch struct {
	pyr *pyrScratch
	tmp [][]float32 // per level, perImage × dim
}

func newWorkScratch(n int) *workScratch {
	w := &workScratch{pyr: newPyrScratch(n)}
	w.tmp = make([][]float32, len(w.pyr.sizes))
	for l := range w.tmp {
		w.tmp[l] = make([]float32, perImage*dim)
	}
	return w
}

// describe computes one image's descriptors into j.half and j.full and
// returns the sums of those of 16-bit levels (before rounding).
func (w *workScratch) describe(j job, sizes []int) imageSums {
	img, n, L := j.img, j.img.Size, len(sizes)
	for ch := range img.Channels {
		p := plane(img.Pix[ch*n*n : (ch+1)*n*n])
		if L > 1 {
			w.pyr.build(p)
		}
		for l := range L {
			w.pyr.patches(p, l, ch, j.cx[l], j.cy[l], w.tmp[l])
		}
	}
	const c = nhood * nhood * group // one channel of a panel
	if img.Channels == 1 {          // tile gray to RGB
		for l := range L {
			for q := 0; q < perImage*dim; q += panelLen {
				t := w.tmp[l][q : q+panelLen]
				copy(t[c:2*c], t[:c])
				copy(t[2*c:], t[:c])
			}
		}
	}
	sums := make(imageSums, L)
	for l := range L {
		t := w.tmp[l]
		if j.full[l] != nil {
			copy(j.full[l], t)
			continue
		}
		if l == L-1 { // fixed point
			for i, v := range t {
				t[i] = v - 128 // for the sums (rounded below 64: by 2^-18 at most)
				j.half[l][i] = toFixed(v)
			}
		} else {
			toHalfs(j.half[l], t)
		}
		for ch := range nchan { // of the values before rounding
			sums[l][ch] = channelSums(t, ch)
		}
	}
	return sums
}

// channelSums returns Σv and Σv² over channel ch of a panel-layout buffer
// of perImage descriptors.
func channelSums(t []float32, ch int) [2]float64 {
	const c = nhood * nhood * group
	var a, b [4]float64
	for q := 0; q < perImage*dim; q += panelLen {
		v := t[q+ch*c : q+(ch+1)*c]
		for i := 0; i < c; i += 4 {
			x0, x1, x2, x3 := float64(v[i]), float64(v[i+1]), float64(v[i+2]), float64(v[i+3])
			a[0] += x0
			a[1] += x1
			a[2] += x2
			a[3] += x3
			b[0] += x0 * x0
			b[1] += x1 * x1
			b[2] += x2 * x2
			b[3] += x3 * x3
		}
	}
	return [2]float64{(a[0] + a[1]) + (a[2] + a[3]), (b[0] + b[1]) + (b[2] + b[3])}
}

// directions returns the unit directions of one level and repeat as
// DirsPerRepeat rows of dim float32. In Numpy mode they are the next
// randn(147, 128) of the stream, columns normalised in float64 and cast to
// float32 as the original does.
func (e *Evaluator) directions(level, repeat int) []float32 {
	d := make([]float64, dim*DirsPerRepeat) // [k][j] as numpy fills it
	if e.np != nil {
		for i := range d {
			d[i] = e.np.NormFloat64()
		}
	} else {
		r := rand.New(rand.NewPCG(uint64(e.opt.Seed), 1<<63|uint64(level)<<8|uint64(repeat)))
		for i := range d {
			d[i] = r.NormFloat64()
		}
	}
	var norm [DirsPerRepeat]float64
	for k := range dim {
		for j := range DirsPerRepeat {
			x := d[k*DirsPerRepeat+j]
			norm[j] += float64(x * x) // squared, then summed, as numpy: no fused multiply-add
		}
	}
	out := make([]float32, DirsPerRepeat*dim)
	for j := range DirsPerRepeat {
		nj := math.Sqrt(norm[j])
		for k := range dim {
			out[j*dim+k] = float32(d[k*DirsPerRepeat+j] / nj)
		}
	}
	return out
}

// Compare returns the sliced Wasserstein distance between two descriptor
// sets of the same resolution and size, level by level: each set is
// standardised per channel with its own mean and standard deviation, both
// are projected on 4 × 128 random unit directions, and the mean absolute
// difference of the sorted projections is averaged over the directions.
// In Numpy mode it draws the directions of every level even when a == b,
// whose distance is 0.
func (e *Evaluator) Compare(ctx context.Context, a, b *Descriptors) (*Result, error) {
	if a.released || b.released {
		return nil, fmt.Errorf("swd: comparing released descriptors")
	}
	if a.size != b.size {
		return nil, fmt.Errorf("swd: comparing %d×%d images with %d×%d", a.size, a.size, b.size, b.size)
	}
	if a.n != b.n {
		return nil, fmt.Errorf("swd: the sets have %d and %d images; they must be the same size", a.n, b.n)
	}
	L := len(a.levels)
	dirs := make([][]float32, L*Repeats)
	for l := range L {
		for r := range Repeats {
			dirs[l*Repeats+r] = e.directions(l, r)
		}
	}
	res := &Result{Resolutions: append([]int(nil), a.res...), SWD: make([]float64, L), Images: a.n, Seed: e.opt.Seed}
	if a != b {
		if err := compare(ctx, a, b, dirs, workerCount(e.opt.Workers), res.SWD); err != nil {
			return nil, err
		}
	}
	for _, v := range res.SWD {
		res.Avg += v
	}
	res.Avg /= float64(L)
	return res, nil
}

// dirBlock returns the number of directions projected at once for m
// descriptors: a whole repeat (128) while the projections of both sets
// (2·4 bytes per direction and descriptor) take at most 256 MiB, else 66
// or at least 36 (11 or 6 of the kernel's tiles of 6 directions). Larger
// blocks stream the descriptors fewer times (13% faster at 2^18
// descriptors).
func dirBlock(m int) int {
	for _, nb := range []int{DirsPerRepeat, 66} {
		if 8*nb*m <= 256<<20 {
			return nb
		}
	}
	return 36
}

func compare(ctx context.Context, a, b *Descriptors, dirs [][]float32, workers int, out []float64) error {
	m := a.n * perImage
	block := dirBlock(m)
	pa := makeAligned[float32](block * m)
	pb := makeAligned[float32](block * m)
	scratch := make([]sortScratch, workers)
	for w := range scratch {
		scratch[w].a, scratch[w].b = makeAligned[uint32](m), makeAligned[uint32](m)
	}
	for l := range a.levels {
		var total float64
		for r := range Repeats {
			d := dirs[l*Repeats+r]
			for j0 := 0; j0 < DirsPerRepeat; j0 += block {
				nb := min(block, DirsPerRepeat-j0)
				if err := ctx.Err(); err != nil {
					return err
				}
				blk := d[j0*dim : (j0+nb)*dim]
				prA := prepare(blk, nb, a.levels[l])
				prB := prepare(blk, nb, b.levels[l])
				project(a.levels[l], m, prA, pa, workers)
				project(b.levels[l], m, prB, pb, workers)
				total += sortedDiffs(pa, pb, m, nb, prA.shift, prB.shift, scratch)
			}
		}
		out[l] = total / float64(Repeats*DirsPerRepeat*m) * 1e3
	}
	return nil
}

// sortScratch is one sorting worker's memory.
type sortScratch struct {
	a, b  []uint32
	radix radix
}

// sortedDiffs sorts every row of pa and pb (nb rows of m keys) and returns
// the sum over rows j of Σ_i |sa_i + shA_j - sb_i - shB_j|, sa and sb the
// sorted rows as floats.
func sortedDiffs(pa, pb []float32, m, nb int, shA, shB []float64, scratch []sortScratch) float64 {
	sums := make([]float64, nb)
	ka := unsafe.Slice((*uint32)(unsafe.Pointer(&pa[0])), len(pa))
	kb := unsafe.Slice((*uint32)(unsafe.Pointer(&pb[0])), len(pb))
	parallel.For(nb, 1, len(scratch), func(w, j, _ int) {
		r := &scratch[w].radix
		sa := sortKeys(ka[j*m:(j+1)*m], scratch[w].a, r)
		sums[j] = sortKeysDiff(kb[j*m:(j+1)*m], scratch[w].b, r, sa, shA[j]-shB[j])
	})
	var t float64
	for _, s := range sums {
		t += s
	}
	return t
}
