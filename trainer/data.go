package trainer

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"

	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/trainer/internal/nn"
)

// reals streams minibatches of real images from one tier of a dataset in
// an order fixed by the run's seed: every pass over the tier (an epoch) is
// a fresh permutation, and the stream restarts when the tier changes, as
// the reference reader re-initialises its iterator for a new lod. Its
// position, the records taken from the current tier, is all a checkpoint
// needs to continue it. Memory is one minibatch plus 8 bytes per record
// for the permutation.
type reals struct {
	ds   *pyramid.Dataset
	seed uint64

	res   int   // current tier, 0 before the first configure
	pos   int64 // records taken from it
	perm  []int // permutation of the current epoch (uncompressed tiers)
	epoch int64

	// Compressed tiers have no random access: their records come from
	// pyramid's windowed shuffle, one stream per epoch.
	next func() (pyramid.Record, error, bool)
	stop func()
}

func newReals(ds *pyramid.Dataset, seed uint64) *reals { return &reals{ds: ds, seed: seed, epoch: -1} }

// configure switches to the tier of resolution res, at position pos of
// its stream: 0 for a new tier, a checkpoint's position on resume.
func (s *reals) configure(res int, pos int64) error {
	if res == s.res && pos == s.pos {
		return nil
	}
	t, err := s.ds.Tier(res)
	if err != nil {
		return err
	}
	if t.Records == 0 {
		return fmt.Errorf("trainer: %s has no records", t.Path)
	}
	s.close()
	s.res, s.pos, s.epoch, s.perm = res, pos, -1, nil
	if t.Compression != pyramid.None {
		// Skip what was taken already: a compressed tier has no other way.
		n := pos % int64(t.Records)
		s.pos -= n
		for range n {
			if _, err := s.take(t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *reals) close() {
	if s.stop != nil {
		s.stop()
		s.next, s.stop = nil, nil
	}
}

// take returns the next record of the current tier.
func (s *reals) take(t *pyramid.Tier) (pyramid.Record, error) {
	n := int64(t.Records)
	epoch, i := s.pos/n, int(s.pos%n)
	if epoch != s.epoch {
		s.epoch = epoch
		seed := s.seed ^ uint64(s.res)<<40 ^ uint64(epoch)
		if t.Compression == pyramid.None {
			s.perm = rand.New(rand.NewPCG(seed, purposeShuffle)).Perm(t.Records)
		} else {
			s.close()
			s.next, s.stop = iter.Pull2(s.ds.Shuffled(s.res, seed))
		}
	}
	s.pos++
	if s.perm != nil {
		img, err := t.Image(s.perm[i])
		if err != nil {
			return pyramid.Record{}, err
		}
		lab, err := s.label(s.perm[i])
		return pyramid.Record{Index: s.perm[i], Image: img, Label: lab}, err
	}
	rec, err, ok := s.next()
	if !ok && err == nil {
		err = fmt.Errorf("trainer: %s ended after %d of %d records", t.Path, i, t.Records)
	}
	return rec, err
}

func (s *reals) label(i int) ([]float32, error) {
	m, err := s.ds.Labels()
	if m == nil || err != nil {
		return nil, err
	}
	if i >= m.Rows {
		return nil, fmt.Errorf("trainer: no label row %d in %s", i, s.ds.LabelFile)
	}
	return m.Row(i), nil
}

// minibatch returns n images as [n, C, res, res] floats in [−1, 1] and,
// when labels > 0, their label rows as [n, labels].
func (s *reals) minibatch(n, labels int) (x, y *nn.Tensor[f32], err error) {
	t, err := s.ds.Tier(s.res)
	if err != nil {
		return nil, nil, err
	}
	c := s.ds.Channels
	x = nn.New[f32](n, c, s.res, s.res)
	if labels > 0 {
		y = nn.New[f32](n, labels)
	}
	k := c * s.res * s.res
	for b := range n {
		rec, err := s.take(t)
		if err != nil {
			return nil, nil, fmt.Errorf("trainer: reading reals: %w", err)
		}
		if rec.Image.Size != s.res || rec.Image.Channels != c {
			return nil, nil, fmt.Errorf("trainer: record %d of %s is %d×%d×%d, want %d×%d×%d",
				rec.Index, t.Path, rec.Image.Channels, rec.Image.Size, rec.Image.Size, c, s.res, s.res)
		}
		toNet(x.Data[b*k:][:k], rec.Image.Pix)
		if labels > 0 {
			if len(rec.Label) < labels {
				return nil, nil, fmt.Errorf("trainer: record %d has %d labels, want %d", rec.Index, len(rec.Label), labels)
			}
			copy(y.Data[b*labels:][:labels], rec.Label)
		}
	}
	return x, y, nil
}

// toNet maps bytes [0, 255] to [−1, 1] as the reference's
// adjust_dynamic_range does in float32: x·(2/255) − 1.
func toNet(dst []f32, pix []byte) {
	const scale = f32(2.0 / 255)
	for i, v := range pix {
		dst[i] = f32(v)*scale - 1
	}
}

// toBytes maps network outputs to bytes as the reference's snapshot and
// evaluation code does: x·127.5 + 127.5, rounded half to even, clipped.
func toBytes(dst []byte, x []f32) {
	for i, v := range x {
		u := float64(v)*127.5 + 127.5
		switch {
		case u != u || u < 0: // NaN as well
			dst[i] = 0
		case u > 255:
			dst[i] = 255
		default:
			dst[i] = byte(math.RoundToEven(u))
		}
	}
}

// processReals applies the rest of the reference's process_reals to a
// minibatch x at its native resolution: the mirror augment (each image
// flipped along W with probability ½) and the fade toward the 2×2-block
// mean by the fraction of lod. The final upscaling to R is left out: the
// networks run at the native resolution.
func processReals(x *nn.Tensor[f32], lod float64, mirror bool, rng *rand.Rand) {
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	if mirror {
		for b := range n {
			if rng.Float64() < 0.5 {
				continue
			}
			img := x.Data[b*c*h*w:][:c*h*w]
			for row := range c * h {
				r := img[row*w:][:w]
				for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
					r[i], r[j] = r[j], r[i]
				}
			}
		}
	}
	alpha := f32(lod - float64(int(lod)))
	if alpha == 0 || h < 2 {
		return
	}
	for p := range n * c {
		img := x.Data[p*h*w:][:h*w]
		for y := 0; y < h; y += 2 {
			for xx := 0; xx < w; xx += 2 {
				i0, i1 := y*w+xx, (y+1)*w+xx
				m := (img[i0] + img[i0+1] + img[i1] + img[i1+1]) * 0.25
				for _, i := range [4]int{i0, i0 + 1, i1, i1 + 1} {
					img[i] += (m - img[i]) * alpha
				}
			}
		}
	}
}
