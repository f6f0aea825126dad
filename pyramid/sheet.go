package pyramid

import (
	"fmt"
	"image"
	"image/color"
)

// Sheet draws records [from, from+n) of every tier as one picture: a row
// per tier, highest first, each record scaled up by pixel replication to
// the full resolution, with a 2-pixel gap. It shows at a glance what the
// trainer sees at each stage.
func Sheet(d *Dataset, from, n int) (image.Image, error) {
	if from < 0 || n <= 0 || from+n > d.Images {
		return nil, fmt.Errorf("pyramid: sheet of records [%d, %d) of %d", from, from+n, d.Images)
	}
	const gap = 2
	r := d.Resolution
	sheet := image.NewRGBA(image.Rect(0, 0, n*(r+gap)-gap, len(d.Tiers)*(r+gap)-gap))
	for i := range sheet.Pix {
		sheet.Pix[i] = 255
	}
	for row, t := range d.Tiers {
		scale := r / t.Resolution
		k := 0
		for rec, err := range d.Range(t.Resolution, from, from+n) {
			if err != nil {
				return nil, err
			}
			img := rec.Image
			x0, y0 := k*(r+gap), row*(r+gap)
			cr, cg, cb := img.Plane(0), img.Plane(0), img.Plane(0)
			if img.Channels == 3 {
				cg, cb = img.Plane(1), img.Plane(2)
			}
			for y := range r {
				for x := range r {
					p := (y/scale)*img.Size + x/scale
					sheet.SetRGBA(x0+x, y0+y, color.RGBA{cr[p], cg[p], cb[p], 255})
				}
			}
			k++
		}
	}
	return sheet, nil
}
