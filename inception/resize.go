package inception

import (
	"fmt"
	"image"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/planar"
)

// Input returns the network's input for img: its RGB values resized to
// 299×299 and scaled as p says, 3×299×299 float32 in CHW order.
//
// The colours are taken as Pillow's convert("RGB") gives them, which is how
// torch-fidelity and pytorch-fid read files: gray is repeated in the three
// channels and alpha is dropped, keeping the colour as stored (straight
// alpha; premultiplied colour is un-premultiplied first). An in-memory
// 16-bit image keeps its high byte; Pillow clips 16-bit grayscale files
// instead, which is why the commands read files with
// imagefile.LoadPillowRGB before they get here.
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
// per pixel: the resize reads only a few of them per output value). Types
// other than gray, opaque RGBA and planar images are first converted by
// internal/imagefile's rules, the ones files are read with.
func planes(img image.Image) ([]uint8, int, int, error) {
	switch m := img.(type) {
	case *planar.Image, *image.Gray:
	case *image.RGBA:
		if !m.Opaque() {
			img = imagefile.Convert(m)
		}
	default:
		img = imagefile.Convert(img)
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
			copy(out[c*n:(c+1)*n], m.Plane(min(c, m.Channels-1)))
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[y*m.Stride:][:w]
			copy(r[y*w:(y+1)*w], row)
		}
		copy(g, r)
		copy(bl, r)
	case *image.RGBA: // opaque
		for y := range h {
			row := m.Pix[y*m.Stride:][:4*w]
			for x := range w {
				r[y*w+x], g[y*w+x], bl[y*w+x] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	}
	return out, w, h, nil
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
