package trainer

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"os"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/trainer/internal/nn"
)

// Model is the moving-average generator Gs of a checkpoint, ready to
// sample.
type Model struct {
	Arch Arch
	// LOD is the level of detail the run was at: 0 once it has grown to
	// full resolution. Samples at a larger lod are upscaled to R, as the
	// reference's Gs outputs are.
	LOD  float64
	Kimg float64
	Path string // the checkpoint file

	gs *generator
}

// Load reads the Gs of a checkpoint. path is a checkpoint file or a run
// folder, whose newest checkpoint is read.
func Load(path string) (*Model, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	} else if fi.IsDir() {
		if path, err = newestCheckpoint(path); err != nil {
			return nil, err
		}
	}
	c, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	// Before building Gs: it is then no larger than the file's tensors.
	if err := c.checkTensors("Gs/", c.arch.generatorShapes()); err != nil {
		return nil, err
	}
	m := &Model{Arch: c.arch, LOD: c.lod, Kimg: float64(c.state.Nimg) / 1000, Path: path, gs: newGenerator(c.arch, nil)}
	if err := c.load("Gs/", &m.gs.network, values); err != nil {
		return nil, err
	}
	return m, nil
}

// GenerateOptions configure Model.Generate.
type GenerateOptions struct {
	// Seed fixes the latents: image i is the same for every Num.
	Seed uint64
	// Truncation, if positive, redraws every latent component whose
	// magnitude exceeds it (a truncated normal), trading variety for
	// typical samples. The latent is pixel-normalised in G, so scaling
	// it, the other common truncation, would change nothing.
	Truncation float64
	// Class selects the one-hot label of a conditional model; −1 draws a
	// class uniformly for every image. An unconditional model takes 0 or
	// −1.
	Class int
}

// MinTruncation is the smallest positive GenerateOptions.Truncation: below
// it, redrawing every latent component until one falls within ±T would
// take too long (about 12 draws per component at 0.1).
const MinTruncation = 0.1

// Generate yields n images of Gs at the model's lod, at resolution R,
// as bytes.
func (m *Model) Generate(ctx context.Context, n int, opt GenerateOptions) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		if err := m.check(opt); err != nil {
			yield(nil, err)
			return
		}
		for b0 := 0; b0 < n; b0 += sampleBatch {
			b1 := min(b0+sampleBatch, n)
			z := nn.New[f32](b1-b0, m.Arch.LatentSize+m.Arch.LabelSize)
			for i := range b1 - b0 {
				m.input(z.Data[i*z.Shape[1]:][:z.Shape[1]], uint64(b0+i), opt)
			}
			for img, err := range m.gs.images(ctx, m.LOD, z) {
				if !yield(img, err) || err != nil {
					return
				}
			}
		}
	}
}

// check validates the options for the model.
func (m *Model) check(opt GenerateOptions) error {
	switch l := m.Arch.LabelSize; {
	case l == 0 && opt.Class != 0 && opt.Class != -1:
		return fmt.Errorf("trainer: class %d: %s is unconditional (no labels)", opt.Class, m.Path)
	case l > 0 && (opt.Class < -1 || opt.Class >= l):
		return fmt.Errorf("trainer: class %d: %s has classes 0 to %d (-1: random)", opt.Class, m.Path, l-1)
	}
	if t := opt.Truncation; math.IsNaN(t) || t > 0 && t < MinTruncation {
		return fmt.Errorf("trainer: truncation %g: want 0 (none) or at least %g", t, MinTruncation)
	}
	return nil
}

// input writes the generator input of image i: its own stream, so that
// images do not depend on how many are made.
func (m *Model) input(row []f32, i uint64, opt GenerateOptions) {
	rng := rand.New(rand.NewPCG(opt.Seed, i))
	for j := range m.Arch.LatentSize {
		v := rng.NormFloat64()
		for opt.Truncation > 0 && (v > opt.Truncation || v < -opt.Truncation) {
			v = rng.NormFloat64()
		}
		row[j] = f32(v)
	}
	if l := m.Arch.LabelSize; l > 0 {
		c := opt.Class
		if c < 0 {
			c = rng.IntN(l)
		}
		row[m.Arch.LatentSize+c] = 1
	}
}
