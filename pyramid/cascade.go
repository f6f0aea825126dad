package pyramid

import (
	"math"
	"slices"

	"github.com/progan/progan/planar"
)

// The lower tiers follow the original exporter (docs/cascade.md): each lod
// is the 2×2 box mean of the previous lod's unquantised float32 values,
// quantised by round-half-to-even. The float32 cascade is exact down to
// 4×4 from any size up to 4096² (every partial sum fits the 24-bit
// mantissa), so lod k is the block mean of the 2^k×2^k full-resolution
// block, rounded half to even: computed here on integer block sums.

// cascader holds the running block sums of one image, reused between
// images by one worker.
type cascader struct {
	sums [2][]uint32
}

// tiers returns out[:0] with the planar bytes of every lower tier appended
// (c × r × r, r halving from top.Size/2 down to 4), and calls emit with
// each tier's bytes as it is made (the slice may move as out grows later).
func (cs *cascader) tiers(top *planar.Image, out []byte, emit func(lod int, pix []byte)) []byte {
	c, r := top.Channels, top.Size
	out = out[:0]
	if r > exactLimit {
		return floatTiers(top, out, emit)
	}
	n := c * r * r / 4
	cur := grow(&cs.sums[0], n)
	// lod 1 from bytes.
	h := r / 2
	for ch := 0; ch < c; ch++ {
		src := top.Plane(ch)
		dst := cur[ch*h*h : (ch+1)*h*h]
		for y := 0; y < h; y++ {
			a := src[2*y*r : 2*y*r+r]
			b := src[(2*y+1)*r : (2*y+1)*r+r]
			d := dst[y*h : y*h+h]
			for x := range d {
				d[x] = uint32(a[2*x]) + uint32(a[2*x+1]) + uint32(b[2*x]) + uint32(b[2*x+1])
			}
		}
	}
	shift := uint(2)
	for lod := 1; h >= 4; lod++ {
		start := len(out)
		out = quantise(out, cur[:c*h*h], shift)
		emit(lod, out[start:])
		if h == 4 {
			break
		}
		// Next lod's sums from this lod's sums.
		nh := h / 2
		next := grow(&cs.sums[lod%2], c*nh*nh)
		for ch := 0; ch < c; ch++ {
			src := cur[ch*h*h : (ch+1)*h*h]
			dst := next[ch*nh*nh : (ch+1)*nh*nh]
			for y := 0; y < nh; y++ {
				a := src[2*y*h : 2*y*h+h]
				b := src[(2*y+1)*h : (2*y+1)*h+h]
				d := dst[y*nh : y*nh+nh]
				for x := range d {
					d[x] = a[2*x] + a[2*x+1] + b[2*x] + b[2*x+1]
				}
			}
		}
		cur, h = next, nh
		shift += 2
	}
	return out
}

func grow(s *[]uint32, n int) []uint32 {
	if cap(*s) < n {
		*s = make([]uint32, n)
	}
	*s = (*s)[:n]
	return *s
}

// quantise appends sum / 2^shift rounded half to even for every sum.
// Adding half-1 plus the parity of the truncated quotient carries into the
// quotient exactly when the remainder is above half, or equal to half with
// an odd quotient.
func quantise(dst []byte, sums []uint32, shift uint) []byte {
	bias := uint32(1)<<(shift-1) - 1
	start := len(dst)
	dst = slices.Grow(dst, len(sums))[:start+len(sums)]
	out := dst[start:]
	for i, s := range sums {
		out[i] = byte((s + bias + (s>>shift)&1) >> shift)
	}
	return dst
}

// Downsample returns the lower tiers of top, from top.Size/2 down to 4, as
// the original exporter computes them.
func Downsample(top *planar.Image) []*planar.Image {
	var cs cascader
	var out []*planar.Image
	cs.tiers(top, nil, func(lod int, pix []byte) {
		out = append(out, &planar.Image{Channels: top.Channels, Size: top.Size >> lod, Pix: append([]byte(nil), pix...)})
	})
	return out
}

// exactLimit is the largest size for which the integer cascade equals the
// original's float32 arithmetic bit for bit; above it the float32 cascade
// itself is run.
const exactLimit = 1024

// floatTiers is the original's cascade in float32, term order as written
// there: (img[0::2,0::2] + img[0::2,1::2] + img[1::2,0::2] + img[1::2,1::2]) * 0.25,
// each lod quantised by rint and clipped.
func floatTiers(top *planar.Image, out []byte, emit func(lod int, pix []byte)) []byte {
	c, r := top.Channels, top.Size
	cur := make([]float32, len(top.Pix))
	for i, v := range top.Pix {
		cur[i] = float32(v)
	}
	for lod := 1; r > 4; lod++ {
		h := r / 2
		next := make([]float32, c*h*h)
		for ch := 0; ch < c; ch++ {
			src := cur[ch*r*r : (ch+1)*r*r]
			dst := next[ch*h*h : (ch+1)*h*h]
			for y := 0; y < h; y++ {
				for x := 0; x < h; x++ {
					a := src[2*y*r+2*x]
					b := src[2*y*r+2*x+1]
					cc := src[(2*y+1)*r+2*x]
					d := src[(2*y+1)*r+2*x+1]
					dst[y*h+x] = (((a + b) + cc) + d) * 0.25
				}
			}
		}
		start := len(out)
		for _, v := range next {
			out = append(out, rintClip(v))
		}
		emit(lod, out[start:])
		cur, r = next, h
	}
	return out
}

func rintClip(v float32) byte {
	f := math.RoundToEven(float64(v))
	switch {
	case f < 0:
		return 0
	case f > 255:
		return 255
	}
	return byte(f)
}
