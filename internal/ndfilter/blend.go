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
func PadBlend(src []uint8, w, h int, pad [4]int, blur float64, r Reflect) (out []uint8, w2, h2 int, err error) {
	img, err := FromUint8(src, w, h, 3)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	if min(pad[0], pad[1], pad[2], pad[3]) <= 0 {
		return nil, 0, 0, fmt.Errorf("ndfilter: pad branch: pad %v has a side ≤ 0 (the mask would divide by zero)", pad)
	}
	if img, err = PadReflect(img, pad, r); err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	mask := PadMask(img.W, img.H, pad)
	blurred, err := GaussianFilter(img, blur, blur)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	if err := BlendBlur(img, blurred, mask); err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	med, err := Median(img)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	if err := BlendMedian(img, med, mask); err != nil {
		return nil, 0, 0, fmt.Errorf("pad branch: %w", err)
	}
	return img.Uint8(), img.W, img.H, nil
}
