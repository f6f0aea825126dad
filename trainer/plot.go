package trainer

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// plotSWD draws the SWD history as a line chart: the average in black over
// the levels in lighter colours, kimg across, SWD×1e3 up, with axes, ticks
// and labels.
func plotSWD(path string, pts []swdPoint, res []int) error {
	img := drawSWD(pts, res)
	return writePNG(path, img)
}

var levelColours = []color.RGBA{
	{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255}, {0xd6, 0x27, 0x28, 255},
	{0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255}, {0xe3, 0x77, 0xc2, 255},
}

func drawSWD(pts []swdPoint, res []int) *image.RGBA {
	const w, h = 720, 420
	const left, right, top, bottom = 64, 110, 30, 44
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := color.RGBA{0, 0, 0, 255}
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 255}

	xmax, ymax := 0.0, 0.0
	for _, p := range pts {
		xmax = max(xmax, p.Kimg)
		ymax = max(ymax, p.Avg)
		for _, v := range p.Levels {
			ymax = max(ymax, v)
		}
	}
	xstep, ystep := niceStep(xmax), niceStep(ymax)
	// The tolerance keeps 30.000001 from stretching the axis to 40.
	xmax, ymax = math.Ceil(xmax/xstep-1e-6)*xstep, math.Ceil(ymax/ystep-1e-6)*ystep
	if xmax == 0 {
		xmax = xstep
	}
	if ymax == 0 {
		ymax = ystep
	}
	px := func(x float64) int { return left + int(math.Round(x/xmax*float64(w-left-right))) }
	py := func(y float64) int { return h - bottom - int(math.Round(y/ymax*float64(h-top-bottom))) }

	// Grid, ticks and their labels.
	for x := 0.0; x <= xmax+xstep/2; x += xstep {
		line(img, px(x), top, px(x), h-bottom, grey)
		line(img, px(x), h-bottom, px(x), h-bottom+4, black)
		label(img, px(x), h-bottom+18, fmtTick(x), 0.5)
	}
	for y := 0.0; y <= ymax+ystep/2; y += ystep {
		line(img, left, py(y), w-right, py(y), grey)
		line(img, left-4, py(y), left, py(y), black)
		label(img, left-7, py(y)+4, fmtTick(y), 1)
	}
	line(img, left, top, left, h-bottom, black)
	line(img, left, h-bottom, w-right, h-bottom, black)
	label(img, (left+w-right)/2, h-8, "kimg", 0.5)
	label(img, left, top-10, "SWD x1e3 of Gs samples vs reals", 0)

	// Per-level curves, then the average on top.
	for l := range res {
		c := levelColours[l%len(levelColours)]
		c.A = 160
		for i := 1; i < len(pts); i++ {
			if l < len(pts[i-1].Levels) && l < len(pts[i].Levels) {
				thick(img, px(pts[i-1].Kimg), py(pts[i-1].Levels[l]), px(pts[i].Kimg), py(pts[i].Levels[l]), c, 1)
			}
		}
		ly := top + 20 + 16*(l+1)
		thick(img, w-right+10, ly-4, w-right+28, ly-4, c, 1)
		label(img, w-right+32, ly, fmt.Sprintf("%d", res[l]), 0)
	}
	for i, p := range pts {
		if i > 0 {
			thick(img, px(pts[i-1].Kimg), py(pts[i-1].Avg), px(p.Kimg), py(p.Avg), black, 2)
		}
		for dy := -2; dy <= 2; dy++ {
			for dx := -2; dx <= 2; dx++ {
				img.SetRGBA(px(p.Kimg)+dx, py(p.Avg)+dy, black)
			}
		}
	}
	thick(img, w-right+10, top+16, w-right+28, top+16, black, 2)
	label(img, w-right+32, top+20, "avg", 0)
	return img
}

// niceStep returns a tick spacing of 1, 2 or 5 times a power of ten that
// divides [0, v] into about 5 steps.
func niceStep(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	raw := v / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func fmtTick(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", math.Round(v*1000)/1000)
}

// label draws s with its baseline at y, its anchor at x: 0 for the left
// end, 0.5 for the middle, 1 for the right end.
func label(img draw.Image, x, y int, s string, anchor float64) {
	d := font.Drawer{Dst: img, Src: image.Black, Face: basicfont.Face7x13}
	width := d.MeasureString(s).Round()
	d.Dot = fixed.P(x-int(anchor*float64(width)), y)
	d.DrawString(s)
}

// line draws a one-pixel line (Bresenham).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) { thick(img, x0, y0, x1, y1, c, 0) }

// thick draws a line with a square pen of half-width r, blending c over
// the background by its alpha.
func thick(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA, r int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		for oy := -r; oy <= r; oy++ {
			for ox := -r; ox <= r; ox++ {
				blend(img, x0+ox, y0+oy, c)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func blend(img *image.RGBA, x, y int, c color.RGBA) {
	if !(image.Point{x, y}.In(img.Rect)) {
		return
	}
	o := img.RGBAAt(x, y)
	a := uint32(c.A)
	mix := func(f, b uint8) uint8 { return uint8((uint32(f)*a + uint32(b)*(255-a)) / 255) }
	img.SetRGBA(x, y, color.RGBA{mix(c.R, o.R), mix(c.G, o.G), mix(c.B, o.B), 255})
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
