// Package planar holds the planar image that the dataset tools, the
// metrics and the trainer pass around: Channels planes of Size×Size bytes
// in CHW order, the layout of the Progressive GAN datasets. It imports
// only the standard library, so that a package needing the image type
// need not import the dataset format with it.
package planar

import (
	"fmt"
	"image"
	"image/color"
)

// Image is one record: Channels planes of Size×Size bytes in CHW order,
// the layout the original stores. It implements image.Image (gray for one
// channel, RGB otherwise) so records can be encoded or drawn directly.
type Image struct {
	Channels int // 1 or 3
	Size     int // width = height
	Pix      []byte
}

// NewImage returns a zeroed c×size×size image.
func NewImage(c, size int) *Image {
	return &Image{Channels: c, Size: size, Pix: make([]byte, c*size*size)}
}

// Plane returns channel c.
func (m *Image) Plane(c int) []byte {
	n := m.Size * m.Size
	return m.Pix[c*n : (c+1)*n]
}

// ColorModel returns color.GrayModel for one channel, color.RGBAModel
// otherwise.
func (m *Image) ColorModel() color.Model {
	if m.Channels == 1 {
		return color.GrayModel
	}
	return color.RGBAModel
}

// Bounds returns the Size×Size rectangle at the origin.
func (m *Image) Bounds() image.Rectangle { return image.Rect(0, 0, m.Size, m.Size) }

// At returns the pixel at (x, y): a color.Gray for one channel, an opaque
// color.RGBA otherwise, and the zero color.RGBA outside the bounds.
func (m *Image) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(m.Bounds())) {
		return color.RGBA{}
	}
	i := y*m.Size + x
	if m.Channels == 1 {
		return color.Gray{m.Pix[i]}
	}
	n := m.Size * m.Size
	return color.RGBA{m.Pix[i], m.Pix[n+i], m.Pix[2*n+i], 255}
}

// FromImage returns img in planar form (a copy, except for an *Image):
// square images of any size; *image.Gray gives one channel, every other
// type three. Alpha is dropped keeping the colour: as stored for
// non-premultiplied types, divided by alpha (truncated, 0 where alpha is
// 0) for premultiplied ones.
func FromImage(img image.Image) (*Image, error) {
	return FromImageInto(img, nil)
}

// FromImageInto is FromImage converting into dst, whose pixel buffer is
// reused when large enough (dst may be nil). It returns img itself for an
// *Image, dst otherwise, or a new image when dst is nil or too small.
func FromImageInto(img image.Image, dst *Image) (*Image, error) {
	if m, ok := img.(*Image); ok {
		return m, nil
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w != h {
		return nil, fmt.Errorf("image is %dx%d: not square", w, h)
	}
	c := 3
	if _, ok := img.(*image.Gray); ok {
		c = 1
	}
	if dst == nil || cap(dst.Pix) < c*w*h {
		dst = &Image{Pix: make([]byte, c*w*h)}
	}
	dst.Channels, dst.Size, dst.Pix = c, w, dst.Pix[:c*w*h]
	n := w * h
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(dst.Pix[y*w:(y+1)*w], m.Pix[(y)*m.Stride:])
		}
	case *image.RGBA:
		splitRGB(dst.Pix, n, w, h, m.Pix, m.Stride)
		unpremultiply(dst.Pix, n, w, h, m.Pix, m.Stride)
	case *image.NRGBA:
		splitRGB(dst.Pix, n, w, h, m.Pix, m.Stride)
	default:
		r, g, bl := dst.Pix[:n], dst.Pix[n:2*n], dst.Pix[2*n:]
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				r[i], g[i], bl[i] = c.R, c.G, c.B
				i++
			}
		}
	}
	return dst, nil
}

func splitRGB(dst []byte, n, w, h int, pix []byte, stride int) {
	r, g, b := dst[:n], dst[n:2*n], dst[2*n:3*n]
	i := 0
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+4*w]
		for x := 0; x < w; x++ {
			r[i], g[i], b[i] = row[4*x], row[4*x+1], row[4*x+2]
			i++
		}
	}
}

// Interleaved returns the image as an *image.Gray (one channel) or an
// opaque *image.RGBA (three), the types encoders handle fastest.
func (m *Image) Interleaved() image.Image {
	n := m.Size * m.Size
	if m.Channels == 1 {
		g := image.NewGray(m.Bounds())
		copy(g.Pix, m.Pix[:n])
		return g
	}
	out := image.NewRGBA(m.Bounds())
	r, g, b := m.Pix[:n], m.Pix[n:2*n], m.Pix[2*n:3*n]
	for i := 0; i < n; i++ {
		p := out.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = r[i], g[i], b[i], 255
	}
	return out
}

// unpremultiply fixes the pixels of a premultiplied RGBA source that are
// not opaque, after splitRGB copied them as stored.
func unpremultiply(dst []byte, n, w, h int, pix []byte, stride int) {
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+4*w]
		for x := 0; x < w; x++ {
			a := uint32(row[4*x+3])
			if a == 255 {
				continue
			}
			i := y*w + x
			for c := 0; c < 3; c++ {
				v := uint32(0)
				if a > 0 {
					v = min(uint32(row[4*x+c])*255/a, 255)
				}
				dst[c*n+i] = byte(v)
			}
		}
	}
}
