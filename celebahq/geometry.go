package celebahq

import (
	"fmt"
	"math"

	"github.com/progan/progan/celebahq/internal/ndfilter"
)

// Plan is the geometry of one image (docs/celebahq.md#per-image), computed
// from its landmarks and size with the original's numpy types: float32
// vectors and quad, float64 zoom. Sizes are (width, height).
type Plan struct {
	X, C        [2]float32    // the crop's half-axis and centre
	QuadInitial [4][2]float32 // NW, SW, SE, NE in source pixels
	ZoomInitial float64
	Shrink      int // > 1: resize to ShrinkSize first
	ShrinkSize  [2]int
	Border      int
	Crop        [4]int // x0, y0, x1, y1
	CropApplied bool
	Superres    int // > 1: resize by this factor after the crop
	Pad         PadPlan
	Quad        [4][2]float32 // after every step, in the image the warp reads
	Zoom        float64
}

// PadPlan is what step 10, the pad branch, decides before it touches a
// pixel.
type PadPlan struct {
	// Raw is the original's first pad tuple (left, top, right, bottom):
	// how far the quad's integer bounding box, widened by the border,
	// reaches outside the image, each at least 0.
	Raw [4]int
	// Apply reports whether the branch runs: max(Raw) > border − 4.
	Apply bool
	// Pad is Raw with every side raised to round(1024·0.3/zoom)
	// (np.maximum): the reflection padding added on each side. Pad[0] and
	// Pad[1] are then added to the quad's x and y (in float32).
	Pad [4]int
	// Blur is the Gaussian σ of the blend, 1024·0.02/zoom in float64.
	Blur float64
}

// hypot32 is numpy's hypot of two float32 scalars (glibc hypotf).
func hypot32(a, b float32) float32 {
	x, y := float64(a), float64(b)
	return float32(math.Sqrt(x*x + y*y))
}

// Bounds on a plausible plan. Landmarks far outside the image (a
// corrupted list line) would otherwise ask for a 0×0 resize, which panics,
// or for pads and intermediate images of tens of gigabytes; such an image
// becomes an error before anything is allocated.
const (
	// maxSide bounds every intermediate image. After the shrink and the
	// super-resolution step the quad's side is at most 4096 pixels, so the
	// padded image of a real face stays under about 9100 pixels a side.
	maxSide = 4 * warpSize
	// maxPadRatio bounds the padded image's side as a multiple of the side
	// of the image it pads: the oracle's close-up case pads by 3.5 times.
	maxPadRatio = 8
	// maxZoom bounds the upsampling of a face: a quad of 4 pixels (the
	// oracle's typical case is upsampled 8 times).
	maxZoom = 256
)

// NewPlan computes the geometry for an image of size w×h with landmarks
// lm (left eye, right eye, nose, left mouth corner, right mouth corner).
// Landmarks that lie more than the image's own size outside it, a face
// too small to upsample, and a plan whose crop misses the image or whose
// intermediate images or pads are beyond the bounds above, are errors.
func NewPlan(lm [5][2]float32, w, h int) (*Plan, error) {
	if w < 1 || h < 1 {
		return nil, fmt.Errorf("image is %d×%d", w, h)
	}
	for _, v := range lm {
		if !(v[0] >= -float32(w) && v[0] <= 2*float32(w) && v[1] >= -float32(h) && v[1] <= 2*float32(h)) {
			return nil, fmt.Errorf("landmark (%v, %v) lies far outside the %d×%d image", v[0], v[1], w, h)
		}
	}
	srcW, srcH := w, h
	var p Plan
	var eyeAvg, mouthAvg, e2e, e2m [2]float32
	for i := range 2 {
		// float32(…) conversions round each product, forbidding fused multiply-adds.
		eyeAvg[i] = float32((lm[0][i]+lm[1][i])*0.5) + 0.5
		mouthAvg[i] = float32((lm[3][i]+lm[4][i])*0.5) + 0.5
		e2e[i] = lm[1][i] - lm[0][i]
	}
	for i := range 2 {
		e2m[i] = mouthAvg[i] - eyeAvg[i]
	}
	rot := func(v [2]float32) [2]float32 { return [2]float32{-v[1], v[0]} }
	r := rot(e2m)
	x := [2]float32{e2e[0] - r[0], e2e[1] - r[1]}
	n := hypot32(x[0], x[1])
	if !(n > 0) {
		return nil, fmt.Errorf("degenerate landmarks %v", lm)
	}
	x[0], x[1] = x[0]/n, x[1]/n
	s := float32(max(float64(hypot32(e2e[0], e2e[1]))*2.0, float64(hypot32(e2m[0], e2m[1]))*1.8))
	x[0], x[1] = x[0]*s, x[1]*s
	y := rot(x)
	var c [2]float32
	for i := range 2 {
		c[i] = eyeAvg[i] + float32(e2m[i]*0.1)
	}
	p.X, p.C = x, c
	for i := range 2 {
		p.QuadInitial[0][i] = (c[i] - x[i]) - y[i]
		p.QuadInitial[1][i] = (c[i] - x[i]) + y[i]
		p.QuadInitial[2][i] = (c[i] + x[i]) + y[i]
		p.QuadInitial[3][i] = (c[i] + x[i]) - y[i]
	}
	quad := p.QuadInitial
	zoom := 1024 / (float64(hypot32(x[0], x[1])) * 2)
	p.ZoomInitial = zoom
	if !(zoom > 0) || math.IsInf(zoom, 0) {
		return nil, fmt.Errorf("degenerate landmarks %v (zoom %v)", lm, zoom)
	}
	if zoom > maxZoom {
		return nil, fmt.Errorf("landmarks %v span a face of %.3g pixels: too small to upsample to %d", lm, 1024/zoom, Size)
	}

	// Shrink.
	if shrink := math.Floor(0.5 / zoom); shrink > 1 {
		p.Shrink = int(shrink)
		w = int(math.RoundToEven(float64(w) / shrink))
		h = int(math.RoundToEven(float64(h) / shrink))
		p.ShrinkSize = [2]int{w, h}
		if w < 1 || h < 1 {
			return nil, fmt.Errorf("landmarks %v shrink the %d×%d image by %d to %d×%d", lm, srcW, srcH, p.Shrink, w, h)
		}
		for k := range quad {
			quad[k][0] /= float32(p.Shrink)
			quad[k][1] /= float32(p.Shrink)
		}
		zoom *= shrink
	}

	// Crop.
	p.Border = max(int(math.RoundToEven(1024*0.1/zoom)), 3)
	x0, y0, x1, y1 := bbox(quad)
	b := p.Border
	p.Crop = [4]int{max(x0-b, 0), max(y0-b, 0), min(x1+b, w), min(y1+b, h)}
	if p.Crop[2]-p.Crop[0] < w || p.Crop[3]-p.Crop[1] < h {
		p.CropApplied = true
		for k := range quad {
			quad[k][0] -= float32(p.Crop[0])
			quad[k][1] -= float32(p.Crop[1])
		}
		w, h = p.Crop[2]-p.Crop[0], p.Crop[3]-p.Crop[1]
		if w < 1 || h < 1 {
			return nil, fmt.Errorf("landmarks %v put the face outside the %d×%d image (crop box %v)", lm, srcW, srcH, p.Crop)
		}
	}

	// Super-resolution stand-in.
	p.Superres = int(math.Exp2(math.Ceil(math.Log2(zoom))))
	if p.Superres > 1 {
		w, h = w*p.Superres, h*p.Superres
		for k := range quad {
			quad[k][0] *= float32(p.Superres)
			quad[k][1] *= float32(p.Superres)
		}
		zoom /= float64(p.Superres)
		if w > maxSide || h > maxSide {
			return nil, fmt.Errorf("landmarks %v upsample the %d×%d crop by %d to %d×%d, more than %d a side", lm, w/p.Superres, h/p.Superres, p.Superres, w, h, maxSide)
		}
	}

	// Pad.
	pad, err := ndfilter.PlanPad(quad, w, h, p.Border, zoom)
	if err != nil {
		return nil, err
	}
	p.Pad = PadPlan(pad)
	if pad.Apply {
		pw, ph := w+pad.Pad[0]+pad.Pad[2], h+pad.Pad[1]+pad.Pad[3]
		if pw > maxSide || ph > maxSide || pw > maxPadRatio*w || ph > maxPadRatio*h {
			return nil, fmt.Errorf("landmarks %v put the face mostly outside the %d×%d image: padding %d×%d to %d×%d (at most %d times a side and %d pixels)", lm, srcW, srcH, w, h, pw, ph, maxPadRatio, maxSide)
		}
		for k := range quad {
			quad[k][0] += float32(pad.Pad[0])
			quad[k][1] += float32(pad.Pad[1])
		}
	}
	p.Quad, p.Zoom = quad, zoom
	return &p, nil
}

// bbox is the original's integer bounding box of a quad.
func bbox(q [4][2]float32) (x0, y0, x1, y1 int) {
	minX, minY, maxX, maxY := q[0][0], q[0][1], q[0][0], q[0][1]
	for _, v := range q[1:] {
		minX, maxX = min(minX, v[0]), max(maxX, v[0])
		minY, maxY = min(minY, v[1]), max(maxY, v[1])
	}
	return int(math.Floor(float64(minX))), int(math.Floor(float64(minY))), int(math.Ceil(float64(maxX))), int(math.Ceil(float64(maxY)))
}

// TransformData is the warp's argument, (quad + 0.5).flatten() in float32.
func (p *Plan) TransformData() [8]float32 {
	var d [8]float32
	for k, v := range p.Quad {
		d[2*k], d[2*k+1] = v[0]+0.5, v[1]+0.5
	}
	return d
}
