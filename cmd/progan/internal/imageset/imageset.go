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
	"iter"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/planar"
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
	files []string    // folder
	zf    *os.File    // the zip archive
	zips  []*zip.File // zip entries, sorted
	ds    *pyramid.Dataset
}

// Open opens path as a dataset (a folder holding *.tfrecords), a folder of
// images, or a .zip of images. A .zip must be a regular file: a named pipe
// or a device is refused rather than waited on.
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
	f, st, err := imagefile.OpenRegular(s.Path)
	if err != nil {
		return nil, fmt.Errorf("imageset: %w", err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("imageset: %s: %w", s.Path, err)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || !imagefile.IsImageName(f.Name) {
			continue
		}
		s.zips = append(s.zips, f)
	}
	if len(s.zips) == 0 {
		f.Close()
		return nil, fmt.Errorf("imageset: %s: no image files in the archive", s.Path)
	}
	slices.SortFunc(s.zips, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	s.Kind, s.zf, s.Count = "zip", f, len(s.zips)
	return s, nil
}

// Images streams the first n images (all when n ≤ 0 or n > Count) in
// order. Every image is square; a file that cannot be read ends the stream
// with an error naming it.
func (s *Set) Images(ctx context.Context, n int) iter.Seq2[*planar.Image, error] {
	return s.Range(ctx, 0, n)
}

// Range streams images [from, to) in order (to ≤ 0 or beyond Count: to the
// end).
func (s *Set) Range(ctx context.Context, from, to int) iter.Seq2[*planar.Image, error] {
	if to <= 0 || to > s.Count {
		to = s.Count
	}
	from = min(max(from, 0), to)
	fopt := imagefile.Options{Resolution: s.opt.Resolution, Filter: s.opt.Filter}
	return func(yield func(*planar.Image, error) bool) {
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
				var img *planar.Image
				if err == nil {
					img, err = planar.FromImage(it.Image)
				}
				if !yield(img, err) || err != nil {
					return
				}
			}
		case "zip":
			decode := func(f *zip.File) (*planar.Image, error) {
				name := s.Path + ":" + f.Name
				// The member's declared size and its image header are
				// checked before it is read: imagefile.Read refuses a
				// member beyond the decoding budget, or one that is not
				// an image, having read no more than its header.
				if f.UncompressedSize64 > math.MaxInt64 {
					return nil, fmt.Errorf("imageset: %s: declares %d bytes", name, f.UncompressedSize64)
				}
				rc, err := f.Open()
				if err != nil {
					return nil, fmt.Errorf("imageset: %s: %w", name, err)
				}
				defer rc.Close()
				img, err := imagefile.Read(name, rc, int64(f.UncompressedSize64), fopt)
				if err != nil {
					return nil, err
				}
				return planar.FromImage(img)
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
	if s.zf != nil {
		errs = append(errs, s.zf.Close())
	}
	return errors.Join(errs...)
}
