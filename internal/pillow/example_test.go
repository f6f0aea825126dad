package pillow_test

import (
	"fmt"
	"image"

	"github.com/progan/progan/internal/pillow"
)

// Resizing as create_lsun does: centre crop (the odd extra column goes on
// the right), then ANTIALIAS. The 2×2 gray
// image shows Pillow's 8-bit intermediate: its rows become 1 and 2 (means
// rounded half up), and their mean 1.5 becomes 2, although the mean of all
// four samples is 1.
func ExampleResize() {
	m := &pillow.Image{Width: 3, Height: 2, Channels: 1, Pix: []uint8{
		0, 1, 9,
		1, 2, 9,
	}}
	s := min(m.Width, m.Height)
	crop := m.Crop(image.Rect(0, 0, s, s).Add(image.Pt((m.Width-s)/2, (m.Height-s)/2)))
	fmt.Println(crop.Pix)
	fmt.Println(pillow.Resize(crop, 1, 1).Pix)
	// Output:
	// [0 1 1 2]
	// [2]
}

// Warping as create_celebahq does: the quad corners (NW, SW, SE, NE) plus
// 0.5 map output pixels to source pixel centres. Here the quad is the
// source's right half, stretched to twice its width: output 1 falls between
// two source pixels (15.5, truncated) and output 3 maps to x = 4, outside
// the source, so it is black.
func ExampleQuad() {
	src := &pillow.Image{Width: 4, Height: 1, Channels: 1, Pix: []uint8{0, 0, 10, 21}}
	quad := [8]float32{2, 0, 2, 1, 4, 1, 4, 0}
	for i := range quad {
		quad[i] += 0.5
	}
	fmt.Println(pillow.Quad(src, 4, 1, quad).Pix)
	// Output:
	// [10 15 21 0]
}
