// Package ndfilter ports, bit for bit, the NumPy and scipy.ndimage
// operations of the pad branch of CelebA-HQ's create_celebahq
// (docs/celebahq.md#pad-branch; dtypes as in docs/celebahq.md#numpy-dtypes):
//
//	img = np.pad(np.float32(img), ((pad[1], pad[3]), (pad[0], pad[2]), (0, 0)), 'reflect')
//	mask = 1.0 - np.minimum(np.minimum(np.float32(x) / pad[0], np.float32(y) / pad[1]),
//	                        np.minimum(np.float32(w-1-x) / pad[2], np.float32(h-1-y) / pad[3]))
//	img += (scipy.ndimage.gaussian_filter(img, [blur, blur, 0]) - img) * np.clip(mask * 3.0 + 1.0, 0.0, 1.0)
//	img += (np.median(img, axis=(0,1)) - img) * np.clip(mask, 0.0, 1.0)
//	img = np.uint8(np.clip(np.round(img), 0, 255))
//
// The arithmetic follows NumPy 1.x (legacy value-based casting: a float32
// array combined with a Python scalar stays float32) and scipy 1.10's
// ndimage C code: every float32 operation is rounded to float32 as NumPy
// does it, one ufunc at a time, and the Gaussian filter accumulates in
// float64 in the order of scipy's NI_Correlate1D. No step is fused into
// an FMA; explicit conversions keep the Go compiler from fusing.
//
// Images are float32 arrays in NumPy's (height, width, channels) layout,
// see [Image]. [PadBlend] runs the whole step; [PlanPad] derives its
// parameters from the crop quad as the original does.
package ndfilter

import (
	"fmt"
	"math"
)

// Image is a float32 array of shape (H, W, C) in C order, the layout of
// np.float32(np.asarray(pil_image)): the sample of row y, column x and
// channel c is Pix[(y*W+x)*C+c].
type Image struct {
	W, H, C int
	Pix     []float32
}

// NewImage returns a zero image of the given shape.
func NewImage(w, h, c int) *Image {
	return &Image{W: w, H: h, C: c, Pix: make([]float32, w*h*c)}
}

// check reports whether the image's shape and pixel slice agree.
func (m *Image) check(name string) error {
	if m == nil {
		return fmt.Errorf("ndfilter: %s image is nil", name)
	}
	if m.W < 0 || m.H < 0 || m.C < 0 {
		return fmt.Errorf("ndfilter: %s image has a negative dimension (%d×%d×%d)", name, m.H, m.W, m.C)
	}
	if len(m.Pix) != m.W*m.H*m.C {
		return fmt.Errorf("ndfilter: %s image is %d×%d×%d but holds %d samples, want %d", name, m.H, m.W, m.C, len(m.Pix), m.W*m.H*m.C)
	}
	return nil
}

// FromUint8 converts an (h, w, c) uint8 array to float32, as
// np.float32(img) does.
func FromUint8(pix []uint8, w, h, c int) (*Image, error) {
	if err := checkUint8(pix, w, h, c); err != nil {
		return nil, err
	}
	m := NewImage(w, h, c)
	for i, v := range pix {
		m.Pix[i] = float32(v)
	}
	return m, nil
}

// checkUint8 reports whether pix can be an (h, w, c) uint8 array.
func checkUint8(pix []uint8, w, h, c int) error {
	if w < 0 || h < 0 || c < 0 {
		return fmt.Errorf("ndfilter: negative image size %d×%d×%d", h, w, c)
	}
	if len(pix) != w*h*c {
		return fmt.Errorf("ndfilter: %d×%d×%d uint8 image holds %d bytes, want %d", h, w, c, len(pix), w*h*c)
	}
	return nil
}

// Uint8 converts the image back to 8 bits the way the original does,
// np.uint8(np.clip(np.round(img), 0, 255)): round half to even, then clamp.
// NaN, which the original never produces, becomes 0.
func (m *Image) Uint8() []uint8 {
	out := make([]uint8, len(m.Pix))
	for i, v := range m.Pix {
		out[i] = toUint8(v)
	}
	return out
}

func toUint8(v float32) uint8 {
	r := math.RoundToEven(float64(v))
	switch {
	case r >= 255:
		return 255
	case r > 0:
		return uint8(r)
	default: // negative, zero or NaN
		return 0
	}
}
