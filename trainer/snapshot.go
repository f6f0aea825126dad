package trainer

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"iter"
	"path/filepath"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/swd"
	"github.com/progan/progan/trainer/internal/nn"
)

// gridSize returns the run's sample grid.
func (t *trainer) gridSize() (gw, gh int) { return t.cfg.gridSize(t.arch.Resolution) }

// setupSnapshots writes reals.png and, for a new run, the first sample
// grid; it describes the SWD reals and scores the initial Gs.
func (t *trainer) setupSnapshots(ctx context.Context, fresh bool) error {
	gw, gh := t.gridSize()
	var reals []*planar.Image
	for rec, err := range t.ds.Range(t.arch.Resolution, 0, gw*gh) {
		if err != nil {
			return fmt.Errorf("trainer: reals grid: %w", err)
		}
		reals = append(reals, rec.Image)
		if t.arch.LabelSize > 0 && rec.Label == nil {
			return fmt.Errorf("trainer: record %d has no label", rec.Index)
		}
	}
	if fresh {
		if err := writeGrid(filepath.Join(t.cfg.Out, RealsFile), reals, gw, gh); err != nil {
			return err
		}
	}
	if t.cfg.SWDImages > 0 && t.arch.Resolution >= swd.MinSize {
		n := min(t.cfg.SWDImages, t.ds.Images)
		if n < swd.MinImages {
			return fmt.Errorf("trainer: %d images are %w (at least %d)", n, ErrTooFewForSWD, swd.MinImages)
		}
		t.swdEval, _ = swd.New(swd.Options{Seed: t.cfg.Seed & (1<<62 - 1)})
		imgs := func(yield func(*planar.Image, error) bool) {
			for rec, err := range t.ds.Range(t.arch.Resolution, 0, n) {
				if !yield(rec.Image, err) || err != nil {
					return
				}
			}
		}
		var err error
		if t.swdReals, err = t.swdEval.Collect(ctx, imgs); err != nil {
			return fmt.Errorf("trainer: SWD reals: %w", err)
		}
	}
	if !fresh {
		return nil
	}
	lod := t.lod()
	if err := t.writeFakes(lod); err != nil {
		return err
	}
	_, err := t.evalSWD(ctx, lod)
	return err
}

// gridInputs returns the fixed latents of the sample grid, with the labels
// of the reals grid for a conditional network.
func (t *trainer) gridInputs(n int) (*nn.Tensor[f32], error) {
	var y *nn.Tensor[f32]
	if l := t.arch.LabelSize; l > 0 {
		y = nn.New[f32](n, l)
		for rec, err := range t.ds.Range(t.arch.Resolution, 0, n) {
			if err != nil {
				return nil, fmt.Errorf("trainer: grid labels: %w", err)
			}
			copy(y.Data[rec.Index*l:][:l], rec.Label)
		}
	}
	return latents(t.arch, n, stream(t.cfg.Seed, purposeGrid, 0), y), nil
}

// writeFakes writes the sample grid of Gs at lod for the current kimg.
func (t *trainer) writeFakes(lod float64) error {
	gw, gh := t.gridSize()
	z, err := t.gridInputs(gw * gh)
	if err != nil {
		return err
	}
	var imgs []*planar.Image
	for img, err := range t.gs.images(context.Background(), lod, z) { // on this goroutine
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	return writeGrid(filepath.Join(t.cfg.Out, FakesFile(t.st.Nimg/1000)), imgs, gw, gh)
}

// evalSWD scores Gs samples at lod against the reals, records the point
// in the run's history and redraws the curve. It returns nil when SWD is
// off.
func (t *trainer) evalSWD(ctx context.Context, lod float64) (*swdPoint, error) {
	if t.swdReals == nil {
		return nil, nil
	}
	n := t.swdReals.Images()
	var y *nn.Tensor[f32]
	if t.arch.LabelSize > 0 {
		y = t.randomLabels(n, stream(t.cfg.Seed, purposeSWD, 1))
	}
	z := latents(t.arch, n, stream(t.cfg.Seed, purposeSWD, 0), y)
	fakes, err := relay(ctx, t.gs.images(ctx, lod, z), t.swdEval.Collect)
	if err != nil {
		return nil, fmt.Errorf("trainer: SWD fakes: %w", err)
	}
	defer fakes.Release()
	r, err := t.swdEval.Compare(ctx, t.swdReals, fakes)
	if err != nil {
		return nil, fmt.Errorf("trainer: SWD: %w", err)
	}
	p := swdPoint{Kimg: float64(t.st.Nimg) / 1000, LOD: lod, Avg: r.Avg, Levels: r.SWD}
	t.st.SWD = append(t.st.SWD, p)
	t.logf("SWD×1e3 at kimg %.1f (lod %.2f, %d images): %v avg %.2f", p.Kimg, lod, n, fmtLevels(r), r.Avg)
	if err := plotSWD(filepath.Join(t.cfg.Out, SWDPlot), t.st.SWD, r.Resolutions); err != nil {
		return nil, err
	}
	return &p, nil
}

func fmtLevels(r *swd.Result) string {
	s := ""
	for i, v := range r.SWD {
		s += fmt.Sprintf("%d:%.2f ", r.Resolutions[i], v)
	}
	return s
}

// sampleBatch is how many images a generator runs at once outside
// training: enough for the matrix products, little memory.
const sampleBatch = 16

// images runs g at lod on the rows of z and yields the outputs as images
// of the final resolution: nearest-neighbour upscaled from the lod's
// resolution, as the reference's G output is, and converted to bytes.
func (g *generator) images(ctx context.Context, lod float64, z *nn.Tensor[f32]) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		net := g.Net(lod)
		n, k := z.Shape[0], z.Shape[1]
		for b0 := 0; b0 < n; b0 += sampleBatch {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			b1 := min(b0+sampleBatch, n)
			dev := g.device()
			var mark int
			if dev != nil {
				mark = dev.Mark()
			}
			out := net.Forward(nn.ToDevice(dev, &nn.Tensor[f32]{Shape: []int{b1 - b0, k}, Data: z.Data[b0*k : b1*k]})).Host()
			if dev != nil {
				dev.Release(mark)
				if err := dev.Err(); err != nil {
					yield(nil, fmt.Errorf("trainer: generating: %w", err))
					return
				}
			}
			for i := range b1 - b0 {
				if !yield(toImage(out, i, g.Resolution), nil) {
					return
				}
			}
		}
	}
}

// toImage converts sample i of the [N, C, h, h] output x to bytes,
// upscaled to size.
func toImage(x *nn.Tensor[f32], i, size int) *planar.Image {
	c, h := x.Shape[1], x.Shape[2]
	f := size / h
	img := planar.NewImage(c, size)
	small := make([]byte, c*h*h)
	toBytes(small, x.Data[i*c*h*h:][:c*h*h])
	for ch := range c {
		src, dst := small[ch*h*h:][:h*h], img.Plane(ch)
		for y := range size {
			row := src[(y/f)*h:][:h]
			for xx := range size {
				dst[y*size+xx] = row[xx/f]
			}
		}
	}
	return img
}

// writeGrid tiles imgs row-major into a gw×gh grid without spacing, as
// the reference's save_image_grid, and writes it as PNG (gray for one
// channel).
func writeGrid(path string, imgs []*planar.Image, gw, gh int) error {
	if len(imgs) == 0 {
		return fmt.Errorf("trainer: no images for %s", path)
	}
	s, c := imgs[0].Size, imgs[0].Channels
	var dst image.Image
	var set func(x, y int, m *planar.Image, i int)
	if c == 1 {
		g := image.NewGray(image.Rect(0, 0, gw*s, gh*s))
		set = func(x, y int, m *planar.Image, i int) { g.Pix[y*g.Stride+x] = m.Pix[i] }
		dst = g
	} else {
		g := image.NewNRGBA(image.Rect(0, 0, gw*s, gh*s))
		set = func(x, y int, m *planar.Image, i int) {
			o := y*g.Stride + 4*x
			g.Pix[o], g.Pix[o+1], g.Pix[o+2], g.Pix[o+3] = m.Pix[i], m.Pix[s*s+i], m.Pix[2*s*s+i], 255
		}
		dst = g
	}
	for k, m := range imgs[:min(len(imgs), gw*gh)] {
		gx, gy := k%gw, k/gw
		for y := range s {
			for x := range s {
				set(gx*s+x, gy*s+y, m, y*s+x)
			}
		}
	}
	return writePNG(path, dst)
}

// writePNG writes an image atomically, fast to encode.
func writePNG(path string, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return writeFileAtomic(path, func(w io.Writer) error { return enc.Encode(w, img) })
}
