// Package imageset opens the image sets the metrics score: a folder of
// image files (sorted names), a packed dataset (one of its tiers, the full
// resolution by default) or a zip archive of image files (sorted entry
// names), and streams their images in planar form with bounded memory,
// decoding on every core.
package imageset

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/pyramid"
)

// Options select what is read.
type Options struct {
	Tier       int    // dataset tier to read; 0: full resolution (folders and zips ignore it)
	Resolution int    // folder and zip images: centre-crop and resize to R (0: as they are)
	Filter     string // resize filter (imagefile.FilterNames)
	Workers    int    // decoders; 0: GOMAXPROCS
}

// Set is an opened image set.
type Set struct {
	Path  string
	Kind  string // "folder", "dataset" or "zip"
	Count int    // images available

	opt   Options
	files []string // folder
	zr    *zip.ReadCloser
	zips  []*zip.File // zip entries, sorted
	ds    *pyramid.Dataset
}

// Open opens path as a dataset (a folder holding *.tfrecords), a folder of
// images, or a .zip of images.
func Open(path string, opt Options) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("imageset: %w", err)
	}
	s := &Set{Path: path, opt: opt}
	if !st.IsDir() {
		if !strings.EqualFold(filepath.Ext(path), ".zip") {
			return nil, fmt.Errorf("imageset: %s: not a folder, a dataset or a .zip", path)
		}
		return s.openZip()
	}
	if recs, _ := filepath.Glob(filepath.Join(path, "*.tfrecords")); len(recs) > 0 {
		d, err := pyramid.Open(path)
		if err != nil {
			return nil, err
		}
		res := opt.Tier
		if res == 0 {
			res = d.Resolution
		}
		t, err := d.Tier(res)
		if err != nil {
			d.Close()
			return nil, err
		}
		s.Kind, s.ds, s.Count, s.opt.Tier = "dataset", d, t.Records, res
		return s, nil
	}
	opt.Tier = 0 // a dataset's option: folders and zips are read as they are
	files, err := imagefile.List(path, false)
	if err != nil {
		return nil, err
	}
	s.Kind, s.files, s.Count = "folder", files, len(files)
	return s, nil
}

func (s *Set) openZip() (*Set, error) {
	zr, err := zip.OpenReader(s.Path)
	if err != nil {
		return nil, fmt.Errorf("imageset: %s: %w", s.Path, err)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || !imagefile.IsImageName(f.Name) {
			continue
		}
		s.zips = append(s.zips, f)
	}
	if len(s.zips) == 0 {
		zr.Close()
		return nil, fmt.Errorf("imageset: %s: no image files in the archive", s.Path)
	}
	slices.SortFunc(s.zips, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	s.Kind, s.zr, s.Count = "zip", zr, len(s.zips)
	return s, nil
}

// Images streams the first n images (all when n ≤ 0 or n > Count) in
// order. Every image is square; a file that cannot be read ends the stream
// with an error naming it.
func (s *Set) Images(ctx context.Context, n int) iter.Seq2[*pyramid.Image, error] {
	return s.Range(ctx, 0, n)
}

// Range streams images [from, to) in order (to ≤ 0 or beyond Count: to the
// end).
func (s *Set) Range(ctx context.Context, from, to int) iter.Seq2[*pyramid.Image, error] {
	if to <= 0 || to > s.Count {
		to = s.Count
	}
	from = min(max(from, 0), to)
	fopt := imagefile.Options{Resolution: s.opt.Resolution, Filter: s.opt.Filter}
	return func(yield func(*pyramid.Image, error) bool) {
		switch s.Kind {
		case "dataset":
			for rec, err := range s.ds.Range(s.opt.Tier, from, to) {
				if err == nil {
					err = ctx.Err()
				}
				if !yield(rec.Image, err) || err != nil {
					return
				}
			}
		case "folder":
			for it, err := range imagefile.Stream(ctx, s.files[from:to], nil, fopt, s.opt.Workers) {
				var img *pyramid.Image
				if err == nil {
					img, err = pyramid.FromImage(it.Image)
				}
				if !yield(img, err) || err != nil {
					return
				}
			}
		case "zip":
			decode := func(f *zip.File) (*pyramid.Image, error) {
				rc, err := f.Open()
				if err != nil {
					return nil, fmt.Errorf("imageset: %s: %s: %w", s.Path, f.Name, err)
				}
				data, err := io.ReadAll(io.LimitReader(rc, 1<<30))
				rc.Close()
				if err != nil {
					return nil, fmt.Errorf("imageset: %s: %s: %w", s.Path, f.Name, err)
				}
				img, err := imagefile.Decode(s.Path+":"+f.Name, data, fopt)
				if err != nil {
					return nil, err
				}
				return pyramid.FromImage(img)
			}
			for img, err := range parallel.Map(ctx, slices.Values(s.zips[from:to]), s.opt.Workers, decode) {
				if !yield(img, err) || err != nil {
					return
				}
			}
		}
	}
}

// Close releases the set's files.
func (s *Set) Close() error {
	var errs []error
	if s.ds != nil {
		errs = append(errs, s.ds.Close())
	}
	if s.zr != nil {
		errs = append(errs, s.zr.Close())
	}
	return errors.Join(errs...)
}
