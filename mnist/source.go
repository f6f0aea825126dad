package mnist

import (
	"context"
	"fmt"
	"image"
	"iter"

	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/shuffled"
	"github.com/progan/progan/pyramid"
)

// Source is the original's create_mnist dataset of a Set, a
// pyramid.Source: the digits zero-padded to 1×32×32 with one-hot labels,
// in the order pyramid.ShuffleOrder(N, seed).
type Source struct{ s shuffled.Source }

// Info implements pyramid.Source.
func (src *Source) Info() pyramid.SourceInfo { return src.s.Info() }

// Fingerprint implements pyramid.Source.
func (src *Source) Fingerprint(opt pyramid.PackOptions) (string, error) {
	return src.s.Fingerprint(opt)
}

// Items implements pyramid.Source.
func (src *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return src.s.Items(ctx, from)
}

// Source returns s as create_mnist packs it; path (what was read, say the
// folder) is recorded in the manifest, seed is the shuffle's (the
// original's is 123). kind names the dataset in the fingerprint ("mnist").
func (s *Set) Source(kind, path string, seed uint64) *Source {
	return &Source{s: shuffled.Source{Kind: kind, Path: path, Files: s.Sources, N: s.N, Seed: seed,
		Image: func(i int) image.Image { return s.Image(i) }, Label: s.OneHot}}
}

// RGBSource is the original's create_mnistrgb dataset, a pyramid.Source:
// n images of 3×32×32 whose channels are three digits drawn as numpy's
// RandomState(seed).randint(N, size=3) draws them. No labels.
type RGBSource struct {
	set  *Set
	path string
	n    int
	seed uint64
}

// RGBSource returns n create_mnistrgb images of s; path is recorded in
// the manifest.
func (s *Set) RGBSource(path string, n int, seed uint64) *RGBSource {
	return &RGBSource{s, path, n, seed}
}

// Info implements pyramid.Source.
func (r *RGBSource) Info() pyramid.SourceInfo {
	seed := r.seed
	return pyramid.SourceInfo{Source: r.path, Order: pyramid.OrderRandomDigits, Seed: &seed, Inputs: r.n}
}

// Fingerprint implements pyramid.Source. It is "": the command that packs
// this source does not resume; the draws of a resumed run are replayed.
func (r *RGBSource) Fingerprint(pyramid.PackOptions) (string, error) { return "", nil }

// Items implements pyramid.Source.
func (r *RGBSource) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return func(yield func(pyramid.Item, error) bool) {
		if err := pyramid.CheckSeed(r.seed); err != nil {
			yield(pyramid.Item{}, err)
			return
		}
		rs := nprand.New(uint32(r.seed))
		for range from.Inputs * 3 {
			rs.Randint(0, int64(r.set.N))
		}
		for k := from.Inputs; k < r.n; k++ {
			if err := ctx.Err(); err != nil {
				yield(pyramid.Item{}, err)
				return
			}
			if !yield(pyramid.Item{Name: fmt.Sprintf("image %d", k), Image: r.set.rgb(rs)}, nil) {
				return
			}
		}
	}
}
