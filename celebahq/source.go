package celebahq

import (
	"context"
	"fmt"
	"iter"

	"github.com/progan/progan/pyramid"
)

// Source is a prepared build as a pyramid.Source: the images of a Job in
// the original's shuffled order (RandomState(123)), each checked by its
// md5s. An image that cannot be made or fails a check is an Item.Err (an
// *ImageError) named by its CelebA file.
type Source struct {
	job    *Job
	source string
	opt    Options
	only   string
}

// NewSource returns the Source of j. source is recorded in the manifest
// (say, the input folders); opt is what NewJob was given and only the
// text Only was parsed from ("" for none): with the image list as given,
// they are fingerprinted.
func NewSource(j *Job, source string, opt Options, only string) *Source {
	return &Source{j, source, opt, only}
}

// Info implements pyramid.Source.
func (s *Source) Info() pyramid.SourceInfo {
	seed := uint64(123)
	return pyramid.SourceInfo{Source: s.source, Order: pyramid.OrderShuffled, Seed: &seed, Inputs: s.job.Len()}
}

// Fingerprint implements pyramid.Source: the settings and the list files
// that decide what is built.
func (s *Source) Fingerprint(p pyramid.PackOptions) (string, error) {
	return pyramid.FingerprintFiles(fmt.Sprintf("celebahq\x00%v\x00%s\x00%s\x00%s\x00%v", s.opt.NoDeltas, s.only, s.opt.ImageList, p.Compression, p.KeepGoing),
		s.job.Sources)
}

// Items implements pyramid.Source, with Job.Images.
func (s *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return func(yield func(pyramid.Item, error) bool) {
		for it, err := range s.job.Images(ctx, from.Inputs) {
			p := pyramid.Item{Name: it.Row.OrigFile}
			if it.Err != nil {
				p.Err = it.Err
			} else {
				p.Image = it.Image
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}
