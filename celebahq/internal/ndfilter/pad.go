package ndfilter

import "fmt"

// Reflect selects which NumPy's np.pad(..., 'reflect') to reproduce. Both
// mirror without repeating the edge sample (d c b | a b c d | c b a) and
// agree whenever a pad is at most the axis length minus one, or when the
// reflections stay in step; they differ for some pads that need several
// reflections, e.g. length 3 padded by (1, 8):
//
//	NumPy ≤ 1.16: 1 | 0 1 2 | 1 0 1 2 1 0 1 2
//	NumPy ≥ 1.17: 1 | 0 1 2 | 1 0 1 2 1 0 1 0
type Reflect int

const (
	// ReflectLegacy is np.pad of NumPy 1.16 and older (the pure-Python
	// arraypad.py; the authors' environment): it pads in whole multiples of
	// the current length minus one, so the result is the periodic
	// extension with period 2(n−1).
	ReflectLegacy Reflect = iota
	// ReflectNumPy117 is np.pad of NumPy 1.17 and newer (the fixtures'
	// NumPy 1.24): _set_reflect_both reflects in chunks of the current
	// valid length minus one, alternating left and right, and a side that
	// finished early shifts the period of the other.
	ReflectNumPy117
)

func (r Reflect) String() string {
	switch r {
	case ReflectLegacy:
		return "numpy<=1.16"
	case ReflectNumPy117:
		return "numpy>=1.17"
	}
	return fmt.Sprintf("Reflect(%d)", int(r))
}

// reflectIndex returns, for every position of an axis of length n padded
// by before and after samples, the index of the source sample that
// np.pad(..., 'reflect') copies there. A length-1 axis is extended with
// its only sample, as NumPy does.
func reflectIndex(n, before, after int, r Reflect) []int {
	idx := make([]int, before+n+after)
	for i := range n {
		idx[before+i] = i
	}
	if before == 0 && after == 0 {
		return idx
	}
	if n == 1 {
		clear(idx) // np.pad repeats a single sample
		return idx
	}
	switch r {
	case ReflectLegacy:
		// arraypad.py ≤ 1.16: while a side exceeds safe_pad = len−1, pad
		// both sides by safe_pad if they can take a whole safe_pad and by
		// zero otherwise; then pad the remainders in one reflection.
		cur := idx[before : before+n]
		lo := before // start of the valid region in idx
		safe := n - 1
		for before > safe || after > safe {
			b := min(safe, safe*(before/safe))
			a := min(safe, safe*(after/safe))
			reflectOnce(idx, lo, len(cur), b, a)
			lo -= b
			cur = idx[lo : lo+len(cur)+b+a]
			before -= b
			after -= a
			safe += b + a
		}
		reflectOnce(idx, lo, len(cur), before, after)
	case ReflectNumPy117:
		// _set_reflect_both, include_edge=False, repeated until done.
		left, right := before, after
		for left > 0 || right > 0 {
			oldLength := len(idx) - right - left - 1
			if left > 0 {
				chunk := min(oldLength, left)
				start := left + chunk
				for j := range chunk {
					idx[left-chunk+j] = idx[start-j]
				}
				left -= chunk
			}
			if right > 0 {
				chunk := min(oldLength, right)
				start := len(idx) - right - 2
				dst := len(idx) - right
				for j := range chunk {
					idx[dst+j] = idx[start-j]
				}
				right -= chunk
			}
		}
	default:
		panic(fmt.Sprintf("ndfilter: unknown %v", r))
	}
	return idx
}

// reflectOnce mirrors the valid region idx[lo:lo+n] by b samples to the
// left and a samples to the right, without repeating the edges; b and a are
// at most n−1 (one step of the legacy _pad_ref).
func reflectOnce(idx []int, lo, n, b, a int) {
	for j := 1; j <= b; j++ {
		idx[lo-j] = idx[lo+j]
	}
	hi := lo + n - 1
	for j := 1; j <= a; j++ {
		idx[hi+j] = idx[hi-j]
	}
}

// PadReflect returns np.pad(m, ((pad[1], pad[3]), (pad[0], pad[2]), (0, 0)),
// 'reflect') as NumPy version r computes it. pad is the original's
// (left, top, right, bottom) tuple. Like NumPy it extends a length-1 axis
// by repetition and refuses to pad an empty one.
func PadReflect(m *Image, pad [4]int, r Reflect) (*Image, error) {
	if err := m.check("input"); err != nil {
		return nil, err
	}
	if r != ReflectLegacy && r != ReflectNumPy117 {
		return nil, fmt.Errorf("ndfilter: unknown reflect mode %d", int(r))
	}
	left, top, right, bottom := pad[0], pad[1], pad[2], pad[3]
	if min(left, top, right, bottom) < 0 {
		return nil, fmt.Errorf("ndfilter: negative pad %v (left, top, right, bottom)", pad)
	}
	if m.H == 0 && top+bottom > 0 || m.W == 0 && left+right > 0 {
		return nil, fmt.Errorf("ndfilter: cannot reflect-pad an empty %d×%d image by %v", m.H, m.W, pad)
	}
	rows := reflectIndex(m.H, top, bottom, r)
	cols := reflectIndex(m.W, left, right, r)
	out := NewImage(len(cols), len(rows), m.C)
	// The columns come in runs of consecutive source columns (the image
	// itself, and each reflection backwards); copy every run forwards
	// whole and the reversed ones pixel by pixel.
	type run struct{ x, sx, n int }
	var runs []run
	for x := 0; x < len(cols); {
		n := 1
		for x+n < len(cols) && cols[x+n] == cols[x]+n {
			n++
		}
		runs = append(runs, run{x, cols[x], n})
		x += n
	}
	c := m.C
	for y, sy := range rows {
		src := m.Pix[sy*m.W*c : (sy+1)*m.W*c]
		dst := out.Pix[y*out.W*c : (y+1)*out.W*c]
		for _, u := range runs {
			if u.n > 1 || c != 3 {
				copy(dst[u.x*c:(u.x+u.n)*c], src[u.sx*c:(u.sx+u.n)*c])
				continue
			}
			d, s := dst[u.x*3:u.x*3+3:u.x*3+3], src[u.sx*3:u.sx*3+3:u.sx*3+3]
			d[0], d[1], d[2] = s[0], s[1], s[2]
		}
	}
	return out, nil
}

// PadMask returns the original's blend mask for a w×h padded image, a
// (h, w, 1) float32 array:
//
//	1 − min(min(x/pad[0], y/pad[1]), min((w−1−x)/pad[2], (h−1−y)/pad[3]))
//
// with every division and the subtraction in float32 (np.mgrid ints
// converted by np.float32, divided by an integer scalar, which legacy
// NumPy casts to float32). It is 1 at the outer edge, 0 where the original
// image begins and negative inside. Pads of 0 divide by zero as NumPy does
// (±Inf, NaN).
func PadMask(w, h int, pad [4]int) []float32 {
	p0, p1, p2, p3 := float32(pad[0]), float32(pad[1]), float32(pad[2]), float32(pad[3])
	mx := make([]float32, w) // x/pad[0] and (w−1−x)/pad[2] per column
	mr := make([]float32, w)
	for x := range w {
		mx[x] = float32(x) / p0
		mr[x] = float32(w-1-x) / p2
	}
	mask := make([]float32, w*h)
	for y := range h {
		fy := float32(y) / p1
		fb := float32(h-1-y) / p3
		row := mask[y*w : (y+1)*w]
		for x := range row {
			row[x] = 1 - min(min(mx[x], fy), min(mr[x], fb))
		}
	}
	return mask
}
