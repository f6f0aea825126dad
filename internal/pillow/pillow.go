// Package pillow reproduces, bit for bit, the two Pillow 3.1.1 operations on
// 8-bit images that the Progressive GAN dataset tool depends on:
//
//   - [Resize] is Image.resize((w, h), ANTIALIAS), the two-pass Lanczos-3
//     resampler of libImaging/Resample.c, used by create_lsun and by the
//     shrink, superres and final 1024×1024 steps of create_celebahq;
//   - [Quad] is Image.transform((w, h), QUAD, data, BILINEAR), the
//     quadrilateral warp of PIL/Image.py and libImaging/Geometry.c, used by
//     create_celebahq to cut the aligned 4096×4096 face.
//
// The reference is the Pillow 3.1.1 source (tag 3.1.1) as compiled for
// x86-64 without fused multiply-add. It computes the resampling weights and
// sums in float32 and the warp in float64; every operation here is rounded
// where the C code rounds it, and no multiply-add is fused (each product is
// converted explicitly, which the Go specification says forbids fusion), so
// the results are the same bytes on amd64 at any GOAMD64 level and on arm64,
// where the compiler would otherwise fuse. On amd64 CPUs with AVX2 the
// warp's interior pixels, the resampler's RGB row pass and its column pass run
// in assembly kernels that do the same operations in the same order, each
// rounded on its own (no FMA instructions); the purego build tag, other
// CPUs and other architectures use the portable Go loops.
// Later Pillow releases changed both operations (integer weights in the
// resampler, pixel-centre sampling in transform), so their output differs.
//
// Images are interleaved 8-bit samples with one channel (Pillow mode "L") or
// three (mode "RGB"); the channels are filtered independently, with the
// arithmetic Pillow applies to each band. Crop and the conversions to and
// from the image package complete the small API.
package pillow

import (
	"fmt"
	"image"
	"image/color"
	"slices"
)

// An Image is a Width×Height grid of pixels of Channels 8-bit samples each
// (1: gray, 3: RGB), stored row by row without padding: the samples of the
// pixel (x, y) start at Pix[(y*Width+x)*Channels].
type Image struct {
	Width, Height int
	Channels      int
	Pix           []uint8
}

// New returns a black image. It panics if a dimension is negative or
// channels is not 1 or 3.
func New(width, height, channels int) *Image {
	if width < 0 || height < 0 {
		panic(fmt.Sprintf("pillow: invalid image size %dx%d", width, height))
	}
	if channels != 1 && channels != 3 {
		panic(fmt.Sprintf("pillow: unsupported channel count %d", channels))
	}
	return &Image{width, height, channels, make([]uint8, width*height*channels)}
}

// check panics unless m is a well-formed image.
func (m *Image) check() {
	if m.Width < 0 || m.Height < 0 || (m.Channels != 1 && m.Channels != 3) ||
		len(m.Pix) != m.Width*m.Height*m.Channels {
		panic(fmt.Sprintf("pillow: malformed image (%dx%d, %d channels, %d samples)",
			m.Width, m.Height, m.Channels, len(m.Pix)))
	}
}

// FromImage converts m to a three-channel RGB image, as Pillow's
// convert("RGB") does: gray levels are repeated in every channel and alpha
// is dropped, keeping the colour values as stored (for an *image.RGBA these
// are premultiplied, which makes no difference for opaque images). Other
// image types go through color.NRGBAModel; for an *image.YCbCr that is Go's
// conversion, not libjpeg's.
func FromImage(m image.Image) *Image {
	r := m.Bounds()
	out := New(r.Dx(), r.Dy(), 3)
	w := r.Dx()
	switch m := m.(type) {
	case *image.Gray:
		for y := range r.Dy() {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:w]
			dst := out.Pix[y*w*3:][:w*3]
			for x, v := range src {
				dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
			}
		}
	case *image.RGBA:
		copyRGB(out.Pix, m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), w, r.Dy())
	case *image.NRGBA:
		copyRGB(out.Pix, m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), w, r.Dy())
	default:
		i := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = c.R, c.G, c.B
				i += 3
			}
		}
	}
	return out
}

// copyRGB copies the first three bytes of each 4-byte pixel.
func copyRGB(dst, src []uint8, stride, off, w, h int) {
	for y := range h {
		s := src[off+y*stride:][:4*w]
		d := dst[3*w*y:][:3*w]
		for x := range w {
			d[3*x], d[3*x+1], d[3*x+2] = s[4*x], s[4*x+1], s[4*x+2]
		}
	}
}

// ToImage returns a copy of m as an *image.Gray (one channel) or an opaque
// *image.RGBA (three channels), with origin (0, 0).
func (m *Image) ToImage() image.Image {
	m.check()
	r := image.Rect(0, 0, m.Width, m.Height)
	if m.Channels == 1 {
		g := image.NewGray(r)
		copy(g.Pix, m.Pix)
		return g
	}
	out := image.NewRGBA(r)
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = m.Pix[i], m.Pix[i+1], m.Pix[i+2], 255
	}
	return out
}

// Crop returns a copy of the rectangle r of m, as Pillow's crop((r.Min.X,
// r.Min.Y, r.Max.X, r.Max.Y)) does: the result is r.Dx()×r.Dy() (0 where that
// is negative) and the parts of r outside m are black.
func (m *Image) Crop(r image.Rectangle) *Image {
	m.check()
	out := New(max(r.Dx(), 0), max(r.Dy(), 0), m.Channels)
	in := r.Intersect(image.Rect(0, 0, m.Width, m.Height))
	if in.Empty() {
		return out
	}
	c := m.Channels
	n := in.Dx() * c
	for y := in.Min.Y; y < in.Max.Y; y++ {
		src := m.Pix[(y*m.Width+in.Min.X)*c:][:n]
		dst := out.Pix[((y-r.Min.Y)*out.Width+in.Min.X-r.Min.X)*c:][:n]
		copy(dst, src)
	}
	return out
}

// Planar returns the samples channel by channel (CHW), the layout of the
// original's records and md5s: np.asarray(img).transpose(2, 0, 1).
func (m *Image) Planar() []byte {
	if m.Channels == 1 {
		return slices.Clone(m.Pix)
	}
	n := m.Width * m.Height
	out := make([]byte, 3*n)
	r, g, b := out[:n], out[n:2*n], out[2*n:]
	for i := range n {
		r[i], g[i], b[i] = m.Pix[3*i], m.Pix[3*i+1], m.Pix[3*i+2]
	}
	return out
}
