package ndfilter

import (
	"fmt"
	"math"
)

// checkMask reports whether mask is an (H, W, 1) array for img.
func checkMask(img *Image, mask []float32) error {
	if len(mask) != img.W*img.H {
		return fmt.Errorf("ndfilter: mask holds %d values for a %d×%d image, want %d", len(mask), img.H, img.W, img.W*img.H)
	}
	return nil
}

// BlendBlur does the original's first blend in place,
//
//	img += (blurred - img) * np.clip(mask * 3.0 + 1.0, 0.0, 1.0)
//
// in float32: t = clip(float32(mask·3) + 1), then img + (blurred − img)·t
// with each operation rounded, the (H, W, 1) mask broadcast over channels.
func BlendBlur(img, blurred *Image, mask []float32) error {
	if err := img.check("input"); err != nil {
		return err
	}
	if err := blurred.check("blurred"); err != nil {
		return err
	}
	if blurred.W != img.W || blurred.H != img.H || blurred.C != img.C {
		return fmt.Errorf("ndfilter: blurred image is %d×%d×%d, input %d×%d×%d", blurred.H, blurred.W, blurred.C, img.H, img.W, img.C)
	}
	if err := checkMask(img, mask); err != nil {
		return err
	}
	c := img.C
	for p, mk := range mask {
		t := min(max(float32(mk*3)+1, 0), 1)
		a := img.Pix[p*c : (p+1)*c]
		g := blurred.Pix[p*c : (p+1)*c]
		for ch := range a {
			a[ch] += float32((g[ch] - a[ch]) * t)
		}
	}
	return nil
}

// BlendMedian does the original's second blend in place,
//
//	img += (med - img) * np.clip(mask, 0.0, 1.0)
//
// in float32, med holding one value per channel (see [Median]).
func BlendMedian(img *Image, med []float32, mask []float32) error {
	if err := img.check("input"); err != nil {
		return err
	}
	if len(med) != img.C {
		return fmt.Errorf("ndfilter: %d median values for %d channels", len(med), img.C)
	}
	if err := checkMask(img, mask); err != nil {
		return err
	}
	c := img.C
	for p, mk := range mask {
		t := min(max(mk, 0), 1)
		a := img.Pix[p*c : (p+1)*c]
		for ch := range a {
			a[ch] += float32((med[ch] - a[ch]) * t)
		}
	}
	return nil
}

// PadPlan is what step 10 decides before it touches a pixel.
type PadPlan struct {
	// Raw is the original's first pad tuple (left, top, right, bottom):
	// how far the quad's integer bounding box, widened by border, reaches
	// outside the image, each at least 0.
	Raw [4]int
	// Apply reports whether the branch runs: max(Raw) > border − 4.
	Apply bool
	// Pad is Raw with every side raised to round(1024·0.3/zoom)
	// (np.maximum); the amounts PadBlend takes. The caller then adds
	// Pad[0] and Pad[1] to the quad's x and y (in float32).
	Pad [4]int
	// Blur is the Gaussian σ, 1024·0.02/zoom in float64.
	Blur float64
}

// PlanPad derives step 10's parameters as the original does from the
// float32 crop quad (corners NW, SW, SE, NE as (x, y)), the current image
// size w×h, the integer border and the float64 zoom (after superres):
//
//	pad = (floor(min qx), floor(min qy), ceil(max qx), ceil(max qy))
//	pad = (max(-pad[0] + border, 0), max(-pad[1] + border, 0),
//	       max(pad[2] - w + border, 0), max(pad[3] - h + border, 0))
//	if max(pad) > border - 4:
//	    pad = np.maximum(pad, int(np.round(1024 * 0.3 / zoom)))
//	    blur = 1024 * 0.02 / zoom
func PlanPad(quad [4][2]float32, w, h, border int, zoom float64) (PadPlan, error) {
	if !(zoom > 0) || math.IsInf(zoom, 0) {
		return PadPlan{}, fmt.Errorf("ndfilter: zoom %v is not a positive finite number", zoom)
	}
	minX, minY := quad[0][0], quad[0][1]
	maxX, maxY := minX, minY
	for _, q := range quad[1:] {
		minX, maxX = min(minX, q[0]), max(maxX, q[0])
		minY, maxY = min(minY, q[1]), max(maxY, q[1])
	}
	for _, v := range []float32{minX, minY, maxX, maxY} {
		if !(math.Abs(float64(v)) < 1<<30) {
			return PadPlan{}, fmt.Errorf("ndfilter: quad %v has a coordinate out of range", quad)
		}
	}
	x0, y0 := int(math.Floor(float64(minX))), int(math.Floor(float64(minY)))
	x1, y1 := int(math.Ceil(float64(maxX))), int(math.Ceil(float64(maxY)))
	var p PadPlan
	p.Raw = [4]int{max(-x0+border, 0), max(-y0+border, 0), max(x1-w+border, 0), max(y1-h+border, 0)}
	p.Apply = max(p.Raw[0], p.Raw[1], p.Raw[2], p.Raw[3]) > border-4
	least := int(math.RoundToEven(1024 * 0.3 / zoom))
	for i, v := range p.Raw {
		p.Pad[i] = max(v, least)
	}
	p.Blur = 1024 * 0.02 / zoom
	return p, nil
}

// PadBlend runs the original's pad branch on an RGB image: src is an
// (h, w, 3) uint8 array, pad the (left, top, right, bottom) amounts of
// [PlanPad] (all positive) and blur the Gaussian σ. It reflect-pads with
// NumPy version r ([ReflectLegacy] for the authors' NumPy), blurs towards
// the padded border, fades to the per-channel median and rounds back to
// uint8. It returns the (h2, w2, 3) result and its size.
//
// The result is that of [PadReflect], [PadMask], [GaussianFilter],
// [BlendBlur], [Median], [BlendMedian] and [Image.Uint8] in turn, but the
// steps share their passes: the Gaussian reads the padded image straight
// from src through the reflection indices, the blur blend is done as the
// second axis of the Gaussian produces its rows, the mask is computed
// where it is needed, and the median blend and the rounding to uint8 are
// one pass. Only the blurred-and-blended float32 image is held whole.
func PadBlend(src []uint8, w, h int, pad [4]int, blur float64, r Reflect) (out []uint8, w2, h2 int, err error) {
	if err := checkUint8(src, w, h, 3); err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	if min(pad[0], pad[1], pad[2], pad[3]) <= 0 {
		return nil, 0, 0, fmt.Errorf("ndfilter: pad branch: pad %v has a side ≤ 0 (the mask would divide by zero)", pad)
	}
	if r != ReflectLegacy && r != ReflectNumPy117 {
		return nil, 0, 0, fmt.Errorf("pad branch: ndfilter: unknown reflect mode %d", int(r))
	}
	if h == 0 || w == 0 {
		return nil, 0, 0, fmt.Errorf("pad branch: ndfilter: cannot reflect-pad an empty %d×%d image by %v", h, w, pad)
	}
	if err := checkSigma(blur); err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	rows := reflectIndex(h, pad[1], pad[3], r)
	cols := reflectIndex(w, pad[0], pad[2], r)
	w2, h2 = len(cols), len(rows)
	n := w2 * 3
	bl := newBlurBlend(src, w, rows, cols, pad)

	// img = padded; img += (gaussian_filter(img) − img)·clip(mask·3 + 1)
	img := make([]float32, h2*n)
	if blur > 1e-15 {
		wk := halfKernel(blur, GaussianRadius(blur))
		correlateAxis0(img, bl, n, h2, wk)
		correlateAxis1(img, img, w2, h2, 3, wk, bl)
	} else {
		// No blur: the blend adds (img − img)·t = 0 to the padded image.
		row := make([]float64, n)
		for y := range h2 {
			bl.load(row, y, 0)
			for i, v := range row {
				img[y*n+i] = float32(v)
			}
		}
	}

	// img += (median − img)·clip(mask), then to uint8.
	med, err := Median(&Image{W: w2, H: h2, C: 3, Pix: img})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	out = make([]uint8, len(img))
	parallelFor(h2, 64, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			fy, fb := bl.rowMask(y)
			a, o := img[y*n:(y+1)*n], out[y*n:(y+1)*n]
			for x := range w2 {
				mk := 1 - min(min(bl.mx[x], fy), min(bl.mr[x], fb))
				t := min(max(mk, 0), 1)
				p, q := a[3*x:3*x+3:3*x+3], o[3*x:3*x+3:3*x+3]
				q[0] = toUint8(p[0] + float32((med[0]-p[0])*t))
				q[1] = toUint8(p[1] + float32((med[1]-p[1])*t))
				q[2] = toUint8(p[2] + float32((med[2]-p[2])*t))
			}
		}
	})
	return out, w2, h2, nil
}

// A blurBlend stands for the padded image of PadBlend, whose samples it
// reads from the unpadded source through the reflection indices, and
// carries the mask's terms (see PadMask).
type blurBlend struct {
	src    []uint8
	rowOff []int     // per padded row, the offset of its source row in src
	colOff []int     // per padded sample x·3+ch, its offset in a source row
	mx, mr []float32 // per padded column: x/pad[0] and (w2−1−x)/pad[2]
	p1, p3 float32   // pad[1] and pad[3]
	h2     int
}

func newBlurBlend(src []uint8, w int, rows, cols []int, pad [4]int) *blurBlend {
	w2 := len(cols)
	b := &blurBlend{
		src:    src,
		rowOff: make([]int, len(rows)),
		colOff: make([]int, 3*w2),
		mx:     make([]float32, w2),
		mr:     make([]float32, w2),
		p1:     float32(pad[1]),
		p3:     float32(pad[3]),
		h2:     len(rows),
	}
	for y, sy := range rows {
		b.rowOff[y] = sy * w * 3
	}
	p0, p2 := float32(pad[0]), float32(pad[2])
	for x, sx := range cols {
		b.colOff[3*x], b.colOff[3*x+1], b.colOff[3*x+2] = 3*sx, 3*sx+1, 3*sx+2
		b.mx[x] = float32(x) / p0
		b.mr[x] = float32(w2-1-x) / p2
	}
	return b
}

// load is rowSource's: samples x0 … of padded row y as float64.
func (b *blurBlend) load(dst []float64, y, x0 int) {
	row := b.src[b.rowOff[y]:]
	for i, o := range b.colOff[x0:][:len(dst)] {
		dst[i] = float64(row[o])
	}
}

// rowMask returns the row terms of the mask of padded row y, y/pad[1] and
// (h2−1−y)/pad[3].
func (b *blurBlend) rowMask(y int) (fy, fb float32) {
	return float32(y) / b.p1, float32(b.h2-1-y) / b.p3
}

// factors sets t[x] to BlendBlur's factor clip(mask·3 + 1) for the pixels
// of padded row y.
func (b *blurBlend) factors(t []float32, y int) {
	fy, fb := b.rowMask(y)
	mx, mr := b.mx[:len(t)], b.mr[:len(t)]
	for x := range t {
		mk := 1 - min(min(mx[x], fy), min(mr[x], fb))
		t[x] = min(max(float32(mk*3)+1, 0), 1)
	}
}

// blendChannel does BlendBlur for channel ch of padded row y: with a the
// padded sample and g = gs[x·stride] the blurred one, row[x·3+ch] =
// a + (g − a)·t[x].
func (b *blurBlend) blendChannel(row, gs []float32, stride int, t []float32, y, ch int) {
	src := b.src[b.rowOff[y]:]
	for x, tx := range t {
		a := float32(src[b.colOff[3*x+ch]])
		row[3*x+ch] = a + float32((gs[x*stride]-a)*tx)
	}
}
