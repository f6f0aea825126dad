// Package celeba reads the aligned CelebA release (img_align_celeba_png,
// or the JPEG img_align_celeba) and cuts the 128×128 face crop of the
// original dataset_tool.py's create_celeba (docs/sources.md#aligned-celeba):
// rows cy-64 … cy+63 and columns cx-64 … cx+63 of each 178×218
// image, no resizing.
package celeba

import (
	"fmt"
	"image"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/planar"
)

// Images is the number of images in the aligned CelebA release.
const Images = 202599

// Width and Height are the size of every aligned CelebA image.
const Width, Height = 178, 218

// Side is the side of the crop.
const Side = 128

// Folders are the release folders Files looks for inside a CelebA folder,
// the PNG release (the original's input) first.
var Folders = []string{"img_align_celeba_png", "img_align_celeba"}

// Files returns the sorted image files of the aligned release under dir:
// dir/img_align_celeba_png/*.png, else dir/img_align_celeba/*.jpg, else
// the .png or .jpg files of dir itself.
func Files(dir string) ([]string, error) {
	for _, sub := range append(slices.Clone(Folders), "") {
		files, err := imagefile.Select(filepath.Join(dir, sub), isReleaseImage)
		if err == nil && len(files) > 0 {
			return files, nil
		}
	}
	return nil, fmt.Errorf("celeba: no images in %s (looked in %s and the folder itself)", dir, strings.Join(Folders, ", "))
}

// isReleaseImage reports whether a folder entry is one of the release's
// images: visible, not a folder, named .png, .jpg or .jpeg in any case.
func isReleaseImage(_ string, e fs.DirEntry) bool {
	ext := strings.ToLower(filepath.Ext(e.Name()))
	return !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && (ext == ".png" || ext == ".jpg" || ext == ".jpeg")
}

// CheckCrop reports whether the crop centred at (cx, cy) fits a 178×218
// image.
func CheckCrop(cx, cy int) error {
	if cx-Side/2 < 0 || cx+Side/2 > Width || cy-Side/2 < 0 || cy+Side/2 > Height {
		return fmt.Errorf("celeba: crop centre (%d, %d): the 128×128 crop must lie inside the 178×218 image (64 ≤ cx ≤ 114, 64 ≤ cy ≤ 154)", cx, cy)
	}
	return nil
}

// Crop returns the 3×128×128 crop centred at (cx, cy) of an aligned
// CelebA image, which must be 178×218. Gray images are not part of the
// release and are refused, as the original's shape check does.
func Crop(img image.Image, cx, cy int) (*planar.Image, error) {
	if err := CheckCrop(cx, cy); err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Dx() != Width || b.Dy() != Height {
		return nil, fmt.Errorf("celeba: image is %d×%d, want %d×%d", b.Dx(), b.Dy(), Width, Height)
	}
	src, err := planar.FromImage(cropImage(img, image.Rect(cx-Side/2, cy-Side/2, cx+Side/2, cy+Side/2).Add(b.Min)))
	if err != nil {
		return nil, fmt.Errorf("celeba: %w", err)
	}
	if src.Channels != 3 {
		return nil, fmt.Errorf("celeba: image has %d channel(s), want RGB", src.Channels)
	}
	return src, nil
}

// Load reads the aligned CelebA image at path and returns its crop
// centred at (cx, cy).
func Load(path string, cx, cy int) (*planar.Image, error) {
	img, err := imagefile.LoadAny(path)
	if err != nil {
		return nil, err
	}
	m, err := Crop(img, cx, cy)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

// cropImage returns the part r of img, without copying when it can.
func cropImage(img image.Image, r image.Rectangle) image.Image {
	if s, ok := img.(subImager); ok {
		return s.SubImage(r)
	}
	m := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			m.Set(x-r.Min.X, y-r.Min.Y, img.At(x, y))
		}
	}
	return m
}
