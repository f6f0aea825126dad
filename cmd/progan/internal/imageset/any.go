package imageset

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"io"
	"iter"
	"math"
	"path/filepath"
	"slices"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/parallel"
)

// AnyRange streams images [from, to) as the files hold them, of any size
// and shape, for the Inception metrics: folder and zip images decoded as
// Pillow's convert("RGB") reads them (imagefile.LoadPillowRGB: *image.Gray
// or *image.RGBA), dataset records as *planar.Image. Options other than
// Workers and Tier do not apply.
func (s *Set) AnyRange(ctx context.Context, from, to int) iter.Seq2[image.Image, error] {
	if to <= 0 || to > s.Count {
		to = s.Count
	}
	from = min(max(from, 0), to)
	return func(yield func(image.Image, error) bool) {
		switch s.Kind {
		case "dataset": // records are what Range reads
			for rec, err := range s.Range(ctx, from, to) {
				var img image.Image
				if err == nil {
					img = rec // not a typed nil in the interface
				}
				if !yield(img, err) || err != nil {
					return
				}
			}
		case "folder":
			for img, err := range parallel.Map(ctx, slices.Values(s.files[from:to]), s.opt.Workers, imagefile.LoadPillowRGB) {
				if !yield(img, err) || err != nil {
					return
				}
			}
		case "zip":
			decode := func(f *zip.File) (image.Image, error) {
				name := s.Path + ":" + f.Name
				// As Range does: the member's declared size and its
				// image header are checked before the rest is read.
				if f.UncompressedSize64 > math.MaxInt64 {
					return nil, fmt.Errorf("imageset: %s: declares %d bytes", name, f.UncompressedSize64)
				}
				rc, err := f.Open()
				if err != nil {
					return nil, fmt.Errorf("imageset: %s: %w", name, err)
				}
				defer rc.Close()
				return imagefile.ReadPillowRGB(name, rc, int64(f.UncompressedSize64))
			}
			for img, err := range parallel.Map(ctx, slices.Values(s.zips[from:to]), s.opt.Workers, decode) {
				if !yield(img, err) || err != nil {
					return
				}
			}
		}
	}
}

// Hash returns a SHA-256 of the content of the first n images (all when
// n ≤ 0 or beyond Count), for caching what is computed from them: the
// names and bytes of a folder's files or a zip's members; for a dataset,
// the tier's SHA-256 from its manifest (or the tier file's bytes when it
// has none) and n.
func (s *Set) Hash(ctx context.Context, n int) (string, error) {
	if n <= 0 || n > s.Count {
		n = s.Count
	}
	h := sha256.New()
	fmt.Fprintf(h, "progan imageset v1\n%s\n%d\n", s.Kind, n)
	var size [8]byte
	add := func(name string, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\n", name)
		c := sha256.New()
		m, err := io.Copy(c, r)
		if err != nil {
			return fmt.Errorf("imageset: %s: %w", name, err)
		}
		binary.LittleEndian.PutUint64(size[:], uint64(m))
		h.Write(size[:])
		h.Write(c.Sum(nil))
		return nil
	}
	switch s.Kind {
	case "folder":
		for _, p := range s.files[:n] {
			f, _, err := imagefile.OpenRegular(p)
			if err != nil {
				return "", fmt.Errorf("imageset: %w", err)
			}
			rel, _ := filepath.Rel(s.Path, p)
			err = add(filepath.ToSlash(rel), f)
			f.Close()
			if err != nil {
				return "", err
			}
		}
	case "zip":
		for _, f := range s.zips[:n] {
			rc, err := f.Open()
			if err != nil {
				return "", fmt.Errorf("imageset: %s:%s: %w", s.Path, f.Name, err)
			}
			err = add(f.Name, rc)
			rc.Close()
			if err != nil {
				return "", err
			}
		}
	case "dataset":
		fmt.Fprintf(h, "tier %d\n", s.opt.Tier)
		if m := s.ds.Manifest; m != nil {
			for _, f := range m.Files {
				if f.Role == "tier" && f.Resolution == s.opt.Tier && f.SHA256 != "" {
					fmt.Fprintf(h, "sha256 %s\n", f.SHA256)
					return hex.EncodeToString(h.Sum(nil)), nil
				}
			}
		}
		t, err := s.ds.Tier(s.opt.Tier)
		if err != nil {
			return "", err
		}
		f, _, err := imagefile.OpenRegular(t.Path)
		if err != nil {
			return "", fmt.Errorf("imageset: %w", err)
		}
		defer f.Close()
		if err := add(filepath.Base(t.Path), f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
