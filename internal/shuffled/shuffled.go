// Package shuffled is the pyramid.Source of an in-memory dataset stored in
// the original's shuffled order (MNIST, CIFAR-10/100, SVHN), shared by the
// public packages that read them, with the checks (Check) they apply to it.
package shuffled

import (
	"context"
	"fmt"
	"image"
	"iter"

	"github.com/progan/progan/pyramid"
)

// Source yields N in-memory images in the order
// pyramid.ShuffleOrder(N, Seed).
type Source struct {
	Kind  string   // the dataset's name in the fingerprint: "mnist", "cifar10", …
	Path  string   // what was read, recorded in the manifest and naming items
	Files []string // the files read, fingerprinted
	N     int
	Seed  uint64
	Image func(i int) image.Image
	Label func(i int) []float32 // nil: no labels
}

// Info implements pyramid.Source.
func (s *Source) Info() pyramid.SourceInfo {
	seed := s.Seed
	return pyramid.SourceInfo{Source: s.Path, Order: pyramid.OrderShuffled, Seed: &seed, Inputs: s.N}
}

// Fingerprint implements pyramid.Source: the kind, seed, compression,
// count and the files read.
func (s *Source) Fingerprint(p pyramid.PackOptions) (string, error) {
	return pyramid.FingerprintFiles(fmt.Sprintf("%s\x00%d\x00%s\x00%d", s.Kind, s.Seed, p.Compression, s.N), s.Files)
}

// Items implements pyramid.Source.
func (s *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return func(yield func(pyramid.Item, error) bool) {
		if err := pyramid.CheckSeed(s.Seed); err != nil {
			yield(pyramid.Item{}, err)
			return
		}
		order := pyramid.ShuffleOrder(s.N, uint32(s.Seed))
		for _, i := range order[from.Inputs:] {
			if err := ctx.Err(); err != nil {
				yield(pyramid.Item{}, err)
				return
			}
			it := pyramid.Item{Name: fmt.Sprintf("%s image %d", s.Path, i), Image: s.Image(i)}
			if s.Label != nil {
				it.Label = s.Label(i)
			}
			if !yield(it, nil) {
				return
			}
		}
	}
}
