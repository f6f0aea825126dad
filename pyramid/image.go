package pyramid

import (
	"image"

	"github.com/progan/progan/planar"
)

// Image is one record: Channels planes of Size×Size bytes in CHW order.
// It is planar.Image, kept here so that code naming pyramid.Image keeps
// compiling; new code should name planar.Image.
type Image = planar.Image

// NewImage returns a zeroed c×size×size image; see planar.NewImage.
func NewImage(c, size int) *Image { return planar.NewImage(c, size) }

// FromImage returns img in planar form (a copy, except for an *Image),
// by the rules of Writer.Add; see planar.FromImage.
func FromImage(img image.Image) (*Image, error) { return planar.FromImage(img) }

// fromImage converts img to planar form in dst (reused when large enough).
func fromImage(img image.Image, dst *Image) (*Image, error) {
	return planar.FromImageInto(img, dst)
}
