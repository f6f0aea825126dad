package cifar

import (
	"context"
	"image"
	"iter"

	"github.com/progan/progan/internal/shuffled"
	"github.com/progan/progan/pyramid"
)

// Source is a Dataset as the original's create_cifar10, create_cifar100
// and create_svhn pack it, a pyramid.Source: 3×32×32 images with one-hot
// labels in the order pyramid.ShuffleOrder(Len(), seed).
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

// Source returns d as the original packs it. kind names the dataset in
// the fingerprint ("cifar10", "cifar100", "svhn"); path, what was read,
// is recorded in the manifest; seed is the shuffle's (the original's is
// 123).
func (d *Dataset) Source(kind, path string, seed uint64) *Source {
	return &Source{s: shuffled.Source{Kind: kind, Path: path, Files: d.Sources, N: d.Len(), Seed: seed,
		Image: func(i int) image.Image { return d.Image(i) }, Label: d.OneHot}}
}
