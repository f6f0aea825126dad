// Package folder is the dataset source of a folder of image files, as the
// original dataset_tool.py's create_from_images reads it: PNG, JPEG, GIF,
// BMP, TIFF and WebP files in sorted name order, optionally with labels
// from a .npy file (one row per file), centre-cropped and resized, or
// stored in the original's shuffled order.
//
// A Source packs with pyramid.Pack:
//
//	src, err := folder.Open("faces", folder.Options{Resolution: 256})
//	…
//	res, err := pyramid.Pack(ctx, src, "datasets/faces", pyramid.PackOptions{})
package folder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/pyramid"
)

// Options configure a folder Source.
type Options struct {
	Recursive bool // also read images in subfolders
	// Resolution 0 keeps every image's size, which must then be square, a
	// power of two and the size of the first; a power of two from 4
	// centre-crops and resizes every image to Resolution×Resolution.
	Resolution int
	Filter     string // resize filter (FilterNames); "" is "lanczos"
	Channels   int    // 1 or 3 converts every image; 0: the first image's
	Labels     string // a .npy file of labels, one row per file in sorted order; "": none
	// Shuffle stores the images in the original's shuffled order,
	// pyramid.ShuffleOrder(n, Seed), instead of sorted order.
	Shuffle bool
	Seed    uint64 // the shuffle's seed, below 2³² (the original's is 123)
	Workers int    // parallel decoders; 0: GOMAXPROCS
}

// FilterNames returns the names Options.Filter accepts.
func FilterNames() []string { return imagefile.FilterNames() }

// Source is a folder of images: the files, their labels and order.
type Source struct {
	dir    string
	opt    Options
	paths  []string
	labels *npy.Matrix
	order  []int
}

// Open lists the images of dir and reads and checks the labels file.
func Open(dir string, opt Options) (*Source, error) {
	if opt.Seed < 0 || opt.Seed > 1<<32-1 {
		return nil, fmt.Errorf("folder: seed %d: want 0 ≤ seed < 2³²", opt.Seed)
	}
	paths, err := imagefile.List(dir, opt.Recursive)
	if err != nil {
		return nil, err
	}
	s := &Source{dir: dir, opt: opt, paths: paths}
	if opt.Labels != "" {
		if s.labels, err = npy.ReadFile(opt.Labels); err != nil {
			return nil, err
		}
		if s.labels.Rows != len(paths) {
			return nil, fmt.Errorf("%s has %d rows for %d images in %s", opt.Labels, s.labels.Rows, len(paths), dir)
		}
		if err := checkLabels(opt.Labels, s.labels); err != nil {
			return nil, err
		}
	}
	if opt.Shuffle {
		if err := pyramid.CheckSeed(opt.Seed); err != nil {
			return nil, fmt.Errorf("folder: %w", err)
		}
		s.order = pyramid.ShuffleOrder(len(paths), uint32(opt.Seed))
	} else {
		s.order = make([]int, len(paths))
		for i := range s.order {
			s.order[i] = i
		}
	}
	return s, nil
}

// Files returns the image files in sorted order (not shuffled).
func (s *Source) Files() []string { return s.paths }

// checkLabels refuses labels the dataset cannot hold: rows longer than the
// writer takes, and NaN or ±Inf (a float64 beyond float32's range becomes
// Inf), which no trainer can use and dataset.json cannot carry; the row
// named is the .npy file's, before any shuffle.
func checkLabels(path string, m *npy.Matrix) error {
	if m.Cols > pyramid.MaxLabelSize {
		return fmt.Errorf("%s: rows of %d labels, at most %d", path, m.Cols, pyramid.MaxLabelSize)
	}
	for i := range m.Rows {
		for k, v := range m.Row(i) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: row %d, column %d: %v is not a finite number (as float32)", path, i, k, v)
			}
		}
	}
	return nil
}

// Info implements pyramid.Source.
func (s *Source) Info() pyramid.SourceInfo {
	in := pyramid.SourceInfo{Source: s.dir, Inputs: len(s.paths)}
	if s.opt.Shuffle {
		seed := s.opt.Seed
		in.Order, in.Seed = pyramid.OrderShuffled, &seed
	}
	return in
}

// Fingerprint implements pyramid.Source: the input files (names, sizes,
// modification times), the labels file and every setting that changes
// the output.
func (s *Source) Fingerprint(p pyramid.PackOptions) (string, error) {
	o := s.opt
	filter := o.Filter
	if filter == "" {
		filter = "lanczos"
	}
	h := sha256.New()
	fmt.Fprintf(h, "images\x00%d\x00%v\x00%d\x00%d\x00%s\x00%d\x00%v\x00%s\x00", len(s.paths), o.Shuffle, o.Seed, o.Resolution, filter, o.Channels, p.KeepGoing, p.Compression)
	for _, p := range s.paths {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, st.Size(), st.ModTime().UnixNano())
	}
	if o.Labels != "" {
		b, err := os.ReadFile(o.Labels)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Items implements pyramid.Source: the images decoded on Workers
// goroutines, in order. A file that cannot be read, or does not match the
// first image (size, colour), is an Item.Err naming it.
func (s *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	iopt := imagefile.Options{Resolution: s.opt.Resolution, Filter: s.opt.Filter, Channels: s.opt.Channels}
	return func(yield func(pyramid.Item, error) bool) {
		for it, err := range imagefile.Stream(ctx, s.paths, s.order[from.Inputs:], iopt, s.opt.Workers) {
			var ie *imagefile.InputError
			if errors.As(err, &ie) {
				if !yield(pyramid.Item{Name: ie.Path, Err: ie}, nil) {
					return
				}
				continue
			}
			if err != nil {
				yield(pyramid.Item{}, err)
				return
			}
			var label []float32
			if s.labels != nil {
				label = s.labels.Row(it.Index)
			}
			if !yield(pyramid.Item{Name: it.Path, Image: it.Image, Label: label}, nil) {
				return
			}
		}
	}
}
