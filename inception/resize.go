package inception

import (
	"fmt"
	"image"
	"image/color"

	"github.com/progan/progan/planar"
)

// Input returns the network's input for img: its RGB values resized to
// 299×299 and scaled as p says, 3×299×299 float32 in CHW order.
//
// The colours are taken as Pillow's convert("RGB") gives them, which is how
// torch-fidelity and pytorch-fid read files: gray is repeated in the three
// channels and alpha is dropped, keeping the colour as stored (straight
// alpha; premultiplied colour is un-premultiplied first).
func Input(img image.Image, p Protocol) ([]float32, error) {
	rgb, w, h, err := planes(img)
	if err != nil {
		return nil, err
	}
	x := make([]float32, 3*InputSize*InputSize)
	switch p {
	case TorchFidelity, "":
		resizeTF1(x, rgb, w, h)
		for i, v := range x {
			x[i] = (v - 128) / 128
		}
	case PytorchFID:
		resizeTorch(x, rgb, w, h)
		for i, v := range x {
			x[i] = 2*v - 1
		}
	default:
		return nil, fmt.Errorf("inception: unknown protocol %q", p)
	}
	return x, nil
}

// planes returns img's RGB values as three planes of w×h bytes (3 bytes
// per pixel: the resize reads only a few of them per output value).
func planes(img image.Image) ([]uint8, int, int, error) {
	if m, ok := img.(*image.NYCbCrA); ok {
		// The embedded YCbCr is the straight colour; At of m itself
		// would premultiply it, blackening transparent pixels.
		img = &m.YCbCr
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, 0, 0, ErrEmpty
	}
	n := w * h
	out := make([]uint8, 3*n)
	r, g, bl := out[:n], out[n:2*n], out[2*n:]
	switch m := img.(type) {
	case *planar.Image:
		for c := range 3 {
			src := m.Plane(min(c, m.Channels-1))
			dst := out[c*n : (c+1)*n]
			for i, v := range src {
				dst[i] = v
			}
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[(y)*m.Stride:][:w]
			for x, v := range row {
				r[y*w+x], g[y*w+x], bl[y*w+x] = v, v, v
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[y*m.Stride:][:4*w]
			for x := range w {
				r[y*w+x], g[y*w+x], bl[y*w+x] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.RGBA:
		opaque := m.Opaque()
		for y := range h {
			row := m.Pix[y*m.Stride:][:4*w]
			for x := range w {
				if opaque {
					r[y*w+x], g[y*w+x], bl[y*w+x] = row[4*x], row[4*x+1], row[4*x+2]
					continue
				}
				a := row[4*x+3]
				r[y*w+x], g[y*w+x], bl[y*w+x] = unpremul(row[4*x], a), unpremul(row[4*x+1], a), unpremul(row[4*x+2], a)
			}
		}
	default:
		for y := range h {
			for x := range w {
				r[y*w+x], g[y*w+x], bl[y*w+x] = stored(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return out, w, h, nil
}

// unpremul divides a premultiplied 8-bit sample by alpha as Pillow's "RGBa"
// unpacker does (truncated, clipped to 255, 0 where alpha is 0), the rule
// the command's image reader (internal/imagefile) follows too.
func unpremul(c, a uint8) uint8 {
	if a == 0 {
		return 0
	}
	return uint8(min(uint(c)*255/uint(a), 255))
}

// stored returns the 8-bit colour a pixel holds without its alpha:
// straight colour as is (the high byte of 16-bit samples), premultiplied
// colour divided by alpha. Converting through color.NRGBAModel instead
// would go through the premultiplied value and lose the colour of
// transparent pixels.
func stored(c color.Color) (r, g, b uint8) {
	switch c := c.(type) {
	case color.NRGBA:
		return c.R, c.G, c.B
	case color.NRGBA64:
		return uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)
	case color.RGBA:
		return unpremul(c.R, c.A), unpremul(c.G, c.A), unpremul(c.B, c.A)
	}
	r16, g16, b16, a16 := c.RGBA()
	a := uint8(a16 >> 8)
	return unpremul(uint8(r16>>8), a), unpremul(uint8(g16>>8), a), unpremul(uint8(b16>>8), a)
}

// resizeTF1 resizes three w×h planes to 299×299 with torch-fidelity's
// interpolate_bilinear_2d_like_tensorflow1x (align_corners=False, the
// "slow" method): source coordinate dst·(in/out) computed in float32,
// truncated for the lower neighbour, the upper one clamped to the edge,
// and the interpolation a + (b−a)·d along x and then y, every operation
// rounded to float32 as PyTorch computes it.
func resizeTF1(dst []float32, src []uint8, w, h int) {
	const out = InputSize
	ix, dx := tf1Grid(w)
	iy, dy := tf1Grid(h)
	for c := range 3 {
		plane := src[c*w*h : (c+1)*w*h]
		o := dst[c*out*out : (c+1)*out*out]
		for y := range out {
			r0 := plane[iy[y][0]*w:][:w]
			r1 := plane[iy[y][1]*w:][:w]
			fy := dy[y]
			for x := range out {
				x0, x1, fx := ix[x][0], ix[x][1], dx[x]
				a0, a1 := float32(r0[x0]), float32(r0[x1])
				b0, b1 := float32(r1[x0]), float32(r1[x1])
				a := a0 + float32((a1-a0)*fx)
				b := b0 + float32((b1-b0)*fx)
				o[y*out+x] = a + float32((b-a)*fy)
			}
		}
	}
}

func tf1Grid(in int) ([][2]int, []float32) {
	const out = InputSize
	scale := float32(float64(in) / float64(out))
	idx := make([][2]int, out)
	frac := make([]float32, out)
	for i := range out {
		g := float32(i) * scale
		lo := int(g)
		idx[i] = [2]int{lo, min(lo+1, in-1)}
		frac[i] = g - float32(lo)
	}
	return idx, frac
}

// resizeTorch resizes three w×h planes to 299×299 as PyTorch's
// F.interpolate(mode="bilinear", align_corners=False) does on the CPU:
// source coordinate (dst+0.5)·(in/out)−0.5, clamped at 0, weights λ and
// 1−λ, and h0λ·(w0λ·a + w1λ·b) + h1λ·(w0λ·c + w1λ·d).
func resizeTorch(dst []float32, src []uint8, w, h int) {
	const out = InputSize
	ix, lx := torchGrid(w)
	iy, ly := torchGrid(h)
	for c := range 3 {
		plane := src[c*w*h : (c+1)*w*h]
		o := dst[c*out*out : (c+1)*out*out]
		for y := range out {
			r0 := plane[iy[y][0]*w:][:w]
			r1 := plane[iy[y][1]*w:][:w]
			h0, h1 := ly[y][0], ly[y][1]
			for x := range out {
				x0, x1 := ix[x][0], ix[x][1]
				w0, w1 := lx[x][0], lx[x][1]
				// x/255 in float32, as ToTensor scales before the resize.
				t0 := float32(w0*(float32(r0[x0])/255)) + float32(w1*(float32(r0[x1])/255))
				t1 := float32(w0*(float32(r1[x0])/255)) + float32(w1*(float32(r1[x1])/255))
				o[y*out+x] = float32(h0*t0) + float32(h1*t1)
			}
		}
	}
}

func torchGrid(in int) ([][2]int, [][2]float32) {
	const out = InputSize
	scale := float32(in) / float32(out)
	idx := make([][2]int, out)
	lam := make([][2]float32, out)
	for i := range out {
		s := float32(scale*(float32(i)+0.5)) - 0.5
		if s < 0 {
			s = 0
		}
		lo := int(s)
		l1 := min(max(s-float32(lo), 0), 1)
		off := 0
		if lo < in-1 {
			off = 1
		}
		idx[i] = [2]int{lo, lo + off}
		lam[i] = [2]float32{1 - l1, l1}
	}
	return idx, lam
}
