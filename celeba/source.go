package celeba

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid"
)

// SourceOptions configure a Source.
type SourceOptions struct {
	CX, CY  int    // the crop's centre (the original's is 89, 121); see CheckCrop
	Seed    uint64 // the shuffle's seed, below 2³² (the original's is 123)
	Workers int    // parallel decoders; 0: GOMAXPROCS
}

// Source is aligned CelebA as the original's create_celeba packs it, a
// pyramid.Source: the 128×128 crops of the images of Files(dir), in the
// order pyramid.ShuffleOrder(len(files), Seed), no labels. An image that
// cannot be read or has the wrong size is an Item.Err naming the file.
type Source struct {
	dir   string
	files []string
	opt   SourceOptions
}

// NewSource returns the Source of files (as Files(dir) lists them); dir
// is recorded in the manifest.
func NewSource(dir string, files []string, opt SourceOptions) (*Source, error) {
	if err := CheckCrop(opt.CX, opt.CY); err != nil {
		return nil, err
	}
	if err := pyramid.CheckSeed(opt.Seed); err != nil {
		return nil, fmt.Errorf("celeba: %w", err)
	}
	return &Source{dir, files, opt}, nil
}

// Info implements pyramid.Source.
func (s *Source) Info() pyramid.SourceInfo {
	seed := s.opt.Seed
	return pyramid.SourceInfo{Source: s.dir, Order: pyramid.OrderShuffled, Seed: &seed, Inputs: len(s.files)}
}

// Fingerprint implements pyramid.Source.
func (s *Source) Fingerprint(p pyramid.PackOptions) (string, error) {
	fp, err := pyramid.FingerprintFiles(fmt.Sprintf("celeba\x00%d\x00%s\x00%d", s.opt.Seed, p.Compression, len(s.files)), s.files)
	if err != nil {
		return "", err
	}
	return fp + fmt.Sprintf("-%d-%d-%v", s.opt.CX, s.opt.CY, p.KeepGoing), nil
}

// Items implements pyramid.Source.
func (s *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return func(yield func(pyramid.Item, error) bool) {
		order := pyramid.ShuffleOrder(len(s.files), uint32(s.opt.Seed))
		type res struct {
			path string
			img  *planar.Image
			err  error
		}
		in := slices.Values(order[from.Inputs:])
		for r, err := range parallel.Map(ctx, in, s.opt.Workers, func(i int) (res, error) {
			m, err := Load(s.files[i], s.opt.CX, s.opt.CY)
			return res{s.files[i], m, err}, nil
		}) {
			it := pyramid.Item{Name: r.path}
			if r.err != nil {
				it.Err = r.err
			} else {
				it.Image = r.img
			}
			if !yield(it, err) || err != nil {
				return
			}
		}
	}
}
