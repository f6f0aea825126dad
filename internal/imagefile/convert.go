package imagefile

import (
	"image"
	"image/color"
	"image/draw"
)

// convert returns the part r of src, which must lie inside src.Bounds() and
// be non-empty, as an *image.Gray or an opaque *image.RGBA with origin (0,0)
// and contiguous Pix, following the rules of the package comment. format is
// the decoder's name for the file format; gray says the file declares gray
// samples although the decoder returned a colour type.
//
// Convert returns img as an *image.Gray (gray colour models) or an opaque
// *image.RGBA (any other) by the package's colour rules, Pillow's
// convert("L") and convert("RGB"): alpha dropped keeping the colour as
// stored, premultiplied colour divided by alpha, 16-bit samples reduced to
// their high byte, palettes looked up. It is what the files the package
// decodes go through, for images that come from elsewhere. The result may
// share img's pixels when img already is one of those types.
func Convert(img image.Image) image.Image {
	return convert(img, img.Bounds(), "", false)
}

// The types Go's decoders return for ordinary files are converted by loops
// over Pix; calling At for every pixel would allocate an interface value per
// pixel and dominate the decoding time.
func convert(src image.Image, r image.Rectangle, format string, gray bool) image.Image {
	w, h := r.Dx(), r.Dy()
	switch m := src.(type) {
	case *image.Gray:
		if whole(r, m.Rect, m.Stride, 1, len(m.Pix)) {
			return m // the decoder's own buffer; nothing else holds it
		}
		return grayFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 1, w, h)
	case *image.Gray16:
		// The high byte of a big-endian sample comes first.
		return grayFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 2, w, h)
	case *image.RGBA:
		if whole(r, m.Rect, m.Stride, 4, len(m.Pix)) && opaque(m.Pix) {
			return m
		}
		return rgbFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 1, true, w, h)
	case *image.RGBA64:
		return rgbFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 2, true, w, h)
	case *image.NRGBA:
		if gray {
			return grayFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 4, w, h)
		}
		return rgbFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 1, false, w, h)
	case *image.NRGBA64:
		if gray {
			return grayFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 8, w, h)
		}
		return rgbFrom(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 2, false, w, h)
	case *image.YCbCr:
		if format == "webp" && vp8Planes(m) {
			return webpRGB(m, r)
		}
		return drawRGBA(m, r)
	case *image.NYCbCrA:
		// The embedded YCbCr is the straight colour; drawing m itself
		// would blend with its alpha.
		if format == "webp" && vp8Planes(&m.YCbCr) {
			return webpRGB(&m.YCbCr, r)
		}
		return drawRGBA(&m.YCbCr, r)
	case *image.CMYK:
		return drawRGBA(m, r)
	case *image.Paletted:
		return paletted(m, r)
	}
	return generic(src, r, gray)
}

// whole reports whether the part r of an image with bounds rect, row
// stride and bytes per pixel bpp is the whole image, at the origin and
// without padding, so that it can be returned without a copy.
func whole(r, rect image.Rectangle, stride, bpp, n int) bool {
	return r == rect && r.Min == image.Point{} && stride == bpp*r.Dx() && n == stride*r.Dy()
}

// grayFrom copies a w×h block of 8-bit levels read every px bytes, starting
// at pix[0], into a new *image.Gray.
func grayFrom(pix []byte, stride, px, w, h int) *image.Gray {
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		s := pix[y*stride:]
		d := dst.Pix[y*w : (y+1)*w]
		if px == 1 {
			copy(d, s)
			continue
		}
		s = s[:(w-1)*px+1]
		for x := range d {
			d[x] = s[x*px]
		}
	}
	return dst
}

// rgbFrom copies a w×h block of RGBA pixels with samples of cs bytes
// (1 or 2, big-endian, so the high byte comes first) into a new opaque
// *image.RGBA. premul says the colour is premultiplied by alpha and must be
// divided out; otherwise alpha is ignored.
func rgbFrom(pix []byte, stride, cs int, premul bool, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	px := 4 * cs
	for y := 0; y < h; y++ {
		s := pix[y*stride : y*stride+w*px]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for i, j := 0, 0; i < len(d); i, j = i+4, j+px {
			p := s[j : j+px : j+px]
			r, g, b := p[0], p[cs], p[2*cs]
			if premul {
				if a := p[3*cs]; a != 255 {
					r, g, b = unpremul(r, a), unpremul(g, a), unpremul(b, a)
				}
			}
			q := d[i : i+4 : i+4]
			q[0], q[1], q[2], q[3] = r, g, b, 255
		}
	}
	return dst
}

// unpremul divides a premultiplied 8-bit sample by alpha as Pillow's "RGBa"
// unpacker does: truncated, clipped to 255, and 0 for a transparent pixel.
func unpremul(c, a uint8) uint8 {
	if a == 0 {
		return 0
	}
	return uint8(min(uint(c)*255/uint(a), 255))
}

// opaque reports whether every alpha byte of RGBA pixels is 255.
func opaque(pix []byte) bool {
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 255 {
			return false
		}
	}
	return true
}

// drawRGBA converts opaque src through image/draw, whose fast paths for
// YCbCr, CMYK and Gray sources use the standard library's colour
// conversions without a call per pixel.
func drawRGBA(src image.Image, r image.Rectangle) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Rect, src, r.Min, draw.Src)
	return dst
}

// paletted converts through a lookup table built from the palette. An index
// past the end of the palette reads as black where image.Paletted.At would
// panic.
func paletted(m *image.Paletted, r image.Rectangle) image.Image {
	var lut [256][4]uint8
	gray := true
	for i, c := range m.Palette {
		if i == len(lut) {
			break
		}
		r, g, b := stored(c)
		lut[i] = [4]uint8{r, g, b, 255}
		gray = gray && r == g && g == b
	}
	for i := len(m.Palette); i < len(lut); i++ {
		lut[i] = [4]uint8{0, 0, 0, 255}
	}

	w, h := r.Dx(), r.Dy()
	off := m.PixOffset(r.Min.X, r.Min.Y)
	if gray {
		dst := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			s := m.Pix[off+y*m.Stride : off+y*m.Stride+w]
			d := dst.Pix[y*w : (y+1)*w]
			for x, idx := range s {
				d[x] = lut[idx][0]
			}
		}
		return dst
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		s := m.Pix[off+y*m.Stride : off+y*m.Stride+w]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for x, idx := range s {
			copy(d[4*x:4*x+4], lut[idx][:])
		}
	}
	return dst
}

// stored returns the 8-bit colour a palette entry or pixel holds, without
// its alpha: straight colour as is, premultiplied colour divided by alpha.
func stored(c color.Color) (r, g, b uint8) {
	switch c := c.(type) {
	case color.NRGBA:
		return c.R, c.G, c.B
	case color.NRGBA64:
		return uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)
	case color.RGBA:
		return unpremul(c.R, c.A), unpremul(c.G, c.A), unpremul(c.B, c.A)
	case nil:
		return 0, 0, 0
	}
	// Any other colour: reduce its premultiplied 16-bit value to high
	// bytes, then apply the 8-bit rule, as for 16-bit files.
	r16, g16, b16, a16 := c.RGBA()
	a := uint8(a16 >> 8)
	return unpremul(uint8(r16>>8), a), unpremul(uint8(g16>>8), a), unpremul(uint8(b16>>8), a)
}

// generic converts image types no Go decoder returns for ordinary files,
// one At call per pixel.
func generic(src image.Image, r image.Rectangle, gray bool) image.Image {
	w, h := r.Dx(), r.Dy()
	cm := src.ColorModel()
	if gray || cm == color.GrayModel || cm == color.Gray16Model {
		dst := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v, _, _ := stored(src.At(r.Min.X+x, r.Min.Y+y))
				dst.Pix[y*w+x] = v
			}
		}
		return dst
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			rr, g, b := stored(src.At(r.Min.X+x, r.Min.Y+y))
			i := y*dst.Stride + 4*x
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = rr, g, b, 255
		}
	}
	return dst
}

// luma converts an opaque RGB image to gray with Pillow's convert("L")
// arithmetic: ITU-R 601-2 weights in 16-bit fixed point, rounded.
func luma(m *image.RGBA) *image.Gray {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		s := m.Pix[y*m.Stride : y*m.Stride+4*w]
		d := dst.Pix[y*w : (y+1)*w]
		for x := range d {
			p := s[4*x : 4*x+3 : 4*x+3]
			d[x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 0x8000) >> 16)
		}
	}
	return dst
}

// grayToRGB replicates each level into R, G and B.
func grayToRGB(m *image.Gray) *image.RGBA {
	return drawRGBA(m, m.Rect)
}

// vp8Planes reports whether m has the layout webpRGB relies on: 4:2:0 at
// the origin, with chroma planes covering every row and column.
func vp8Planes(m *image.YCbCr) bool {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	n := (ch-1)*m.CStride + cw
	return m.SubsampleRatio == image.YCbCrSubsampleRatio420 && m.Rect.Min == image.Point{} &&
		w > 0 && h > 0 && m.CStride >= cw && len(m.Cb) >= n && len(m.Cr) >= n
}

// webpRGB converts the part r of a lossy WebP's 4:2:0 planes to RGB the way
// libwebp does by default, so the result matches dwebp and Pillow bit for
// bit. golang.org/x/image/webp returns VP8's planes as an image.YCbCr, whose
// conversion assumes JPEG's full-range YCbCr, while VP8 stores BT.601
// limited-range samples (Y in 16-235): drawn as JPEG they lose contrast,
// blacks turning dark gray (golang/go#40173). libwebp also interpolates the
// chroma planes ("fancy upsampling") instead of repeating each sample.
func webpRGB(m *image.YCbCr, r image.Rectangle) *image.RGBA {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	crow := func(plane []uint8, i int) []uint8 {
		return plane[i*m.CStride : i*m.CStride+cw]
	}
	u := make([]uint8, w)
	v := make([]uint8, w)

	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		// libwebp emits rows in pairs (2k-1, 2k) between chroma rows k-1
		// and k; each row leans on the chroma row nearest to it. Row 0
		// and the last row of an even height have only one chroma row.
		var near, far int
		switch yy := y - b.Min.Y; {
		case yy == 0:
			near, far = 0, 0
		case yy%2 == 1:
			near, far = (yy-1)/2, min((yy+1)/2, ch-1)
		default:
			near, far = yy/2, yy/2-1
		}
		upsampleWebP(u, crow(m.Cb, near), crow(m.Cb, far))
		upsampleWebP(v, crow(m.Cr, near), crow(m.Cr, far))

		ys := m.Y[m.YOffset(r.Min.X, y):]
		d := dst.Pix[(y-r.Min.Y)*dst.Stride:]
		for x, cx := 0, r.Min.X-b.Min.X; x < r.Dx(); x, cx = x+1, cx+1 {
			q := d[4*x : 4*x+4 : 4*x+4]
			q[0], q[1], q[2] = webpYUVToRGB(ys[x], u[cx], v[cx])
			q[3] = 255
		}
	}
	return dst
}

// upsampleWebP interpolates one row of a chroma plane to full width as
// libwebp's UpsampleRgbLinePair does: each output sample weighs the chroma
// samples around it 9:3:3:1, nearest row (near) and column first, with
// libwebp's intermediate rounding.
func upsampleWebP(dst, near, far []uint8) {
	w := len(dst)
	dst[0] = uint8((3*int(near[0]) + int(far[0]) + 2) >> 2)
	last := (w - 1) / 2
	for x := 1; x <= last; x++ {
		a, b := int(near[x-1]), int(near[x])
		c, d := int(far[x-1]), int(far[x])
		s := a + b + c + d + 8
		dst[2*x-1] = uint8((a + ((s + 2*(b+c)) >> 3)) >> 1)
		dst[2*x] = uint8((b + ((s + 2*(a+d)) >> 3)) >> 1)
	}
	if w%2 == 0 {
		dst[w-1] = uint8((3*int(near[last]) + int(far[last]) + 2) >> 2)
	}
}

// webpYUVToRGB is libwebp's VP8YuvToRgb: BT.601 limited range in 14-bit
// fixed point, R = 1.164(Y-16) + 1.596(V-128) and so on.
func webpYUVToRGB(y, u, v uint8) (r, g, b uint8) {
	mul := func(x uint8, c int) int { return int(x) * c >> 8 }
	yy := mul(y, 19077)
	return webpClip(yy + mul(v, 26149) - 14234),
		webpClip(yy - mul(u, 6419) - mul(v, 13320) + 8708),
		webpClip(yy + mul(u, 33050) - 17685)
}

// webpClip is libwebp's VP8Clip8: drop the 6 fraction bits, saturating.
func webpClip(v int) uint8 {
	switch {
	case v < 0:
		return 0
	case v >= 256<<6:
		return 255
	}
	return uint8(v >> 6)
}
