package trainer

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Config is a training run: the dataset, the networks, the schedule and
// the run folder. DefaultConfig gives the reference's settings; the zero
// value is not usable.
type Config struct {
	// Dataset is the folder of a pyramid dataset (package pyramid).
	Dataset string `json:"dataset"`
	// Resolution is the final resolution R; 0 means the dataset's. A
	// smaller power of two trains on the dataset's tiers from R down,
	// ignoring the larger ones, as the reference reader's resolution
	// argument does.
	Resolution int `json:"resolution"`
	// Mirror flips every real image horizontally with probability ½
	// (the reference's mirror_augment).
	Mirror bool `json:"mirror"`
	// NoLabels trains unconditionally even when the dataset has labels.
	// With labels, G takes them beside the latent and D predicts them,
	// with the cross-entropy terms of the reference's AC-GAN losses.
	NoLabels bool `json:"no_labels"`

	// FmapBase and FmapMax give the channel counts
	// nf(stage) = min(FmapBase/2^stage, FmapMax): 8192 and 512 in the
	// reference. LatentSize is the latent dimension; 0 means nf(0), the
	// reference's 512.
	FmapBase   int `json:"fmap_base"`
	FmapMax    int `json:"fmap_max"`
	LatentSize int `json:"latent_size"`
	// MbstdGroup is the minibatch-stddev group size of D's 4×4 block;
	// 1 leaves the layer out. The reference uses 4.
	MbstdGroup int `json:"mbstd_group"`

	// Loss is "wgangp" (the reference: WGAN-GP, λ = 10, γ = 1, drift
	// 0.001) or "lsgan" (the Theano version's least squares variant).
	Loss string `json:"loss"`

	// InitialResolution is the resolution training starts at (4).
	InitialResolution int `json:"initial_resolution"`
	// PhaseKimg and FadeKimg are the thousands of real images shown per
	// resolution while stable and while fading in the next (600 each).
	PhaseKimg float64 `json:"phase_kimg"`
	FadeKimg  float64 `json:"fade_kimg"`
	// TotalKimg ends the run.
	TotalKimg float64 `json:"total_kimg"`
	// MinibatchBase is the minibatch at resolutions Minibatch does not
	// list; MaxMinibatch caps it per resolution.
	MinibatchBase int         `json:"minibatch_base"`
	Minibatch     map[int]int `json:"minibatch"`
	MaxMinibatch  map[int]int `json:"max_minibatch"`
	// LR is the learning rate of both networks at resolutions GLR and
	// DLR do not list.
	LR  float64         `json:"lr"`
	GLR map[int]float64 `json:"g_lr"`
	DLR map[int]float64 `json:"d_lr"`
	// TickKimgBase and TickKimg set the tick length (kimg) per
	// resolution: a tick logs a line and is the unit of snapshots.
	TickKimgBase float64         `json:"tick_kimg_base"`
	TickKimg     map[int]float64 `json:"tick_kimg"`
	// MinibatchRepeats is how many D+G minibatches run per evaluation of
	// the schedule (4); DRepeats the D steps per G step (1).
	MinibatchRepeats int `json:"minibatch_repeats"`
	DRepeats         int `json:"d_repeats"`
	// GSmoothing is β of the generator's moving average Gs (0.999).
	GSmoothing float64 `json:"g_smoothing"`
	// NoReset keeps the Adam state when a fade starts or ends; the
	// reference resets it then.
	NoReset bool `json:"no_reset"`
	// Seed fixes every random choice of the run: initial weights,
	// latents, interpolation weights, mirroring and the data order.
	Seed uint64 `json:"seed"`

	// Out is the run folder.
	Out string `json:"-"`
	// Resume continues the run in Out from its newest checkpoint with the
	// run's saved configuration. Only TotalKimg, ImageTicks, NetworkTicks,
	// SWDImages and Grid are taken from this Config, where they are not
	// zero, and Dataset, where it is not empty (the dataset may have
	// moved); Log and Device always.
	Resume bool `json:"-"`
	// ImageTicks and NetworkTicks are the ticks between sample grids and
	// between checkpoints (1 and 10); the last tick always writes both.
	ImageTicks   int `json:"image_ticks"`
	NetworkTicks int `json:"network_ticks"`
	// SWDImages is the number of Gs samples scored against as many real
	// images at every checkpoint (0 disables; needs R ≥ 16).
	SWDImages int `json:"swd_images"`
	// Grid is the sample grid in images across and down; zeros mean the
	// reference's rule clip(1920/R, 3, 32) × clip(1080/R, 2, 32).
	Grid [2]int `json:"grid"`

	// Device is where the run trains: "cpu", "cuda", or "" for
	// DefaultDevice. It is not part of the run: a resumed run takes it
	// from this Config, and may continue on another device.
	Device string `json:"-"`

	// Log receives the tick lines and messages besides log.txt; nil
	// means none.
	Log Logger `json:"-"`
}

// Logger receives the run's log lines, such as an io.Writer wrapped with
// fmt.Fprintln, or testing.T's Log.
type Logger func(line string)

// DefaultConfig returns the reference's configuration for one GPU in fp32
// (config.py as shipped, docs/trainer.md#schedule) for the
// dataset in dataset and the run folder out.
func DefaultConfig(dataset, out string) Config {
	return Config{
		Dataset:           dataset,
		Out:               out,
		FmapBase:          8192,
		FmapMax:           512,
		MbstdGroup:        4,
		Loss:              "wgangp",
		InitialResolution: 4,
		PhaseKimg:         600,
		FadeKimg:          600,
		TotalKimg:         12000,
		MinibatchBase:     4,
		Minibatch:         map[int]int{4: 128, 8: 128, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8, 512: 4},
		MaxMinibatch:      map[int]int{256: 16, 512: 8, 1024: 4},
		LR:                0.001,
		GLR:               map[int]float64{1024: 0.0015},
		DLR:               map[int]float64{1024: 0.0015},
		TickKimgBase:      160,
		TickKimg:          map[int]float64{4: 160, 8: 140, 16: 120, 32: 100, 64: 80, 128: 60, 256: 40, 512: 20, 1024: 10},
		MinibatchRepeats:  4,
		DRepeats:          1,
		GSmoothing:        0.999,
		Seed:              1000,
		ImageTicks:        1,
		NetworkTicks:      10,
		SWDImages:         256,
	}
}

// QuickConfig returns a configuration that trains a small network on the
// dataset in dataset in about a minute on two cores and writes sample
// grids, SWD and a checkpoint to out: final resolution 16×16, 32 channels
// at most, minibatch 8, learning rate 0.003, 8 kimg stable and 4 kimg
// fading per resolution, stopping at 18 kimg in the 8×8 phase, where the
// samples of the bundled synthetic shapes have become blurred blobs of the
// right colours and their SWD has fallen to under half of its start.
// It is meant for demonstrations; LearnConfig goes on to 16×16.
func QuickConfig(dataset, out string) Config {
	c := DefaultConfig(dataset, out)
	c.Resolution = 16
	c.FmapMax = 32
	c.PhaseKimg, c.FadeKimg, c.TotalKimg = 8, 4, 18
	c.MinibatchBase, c.Minibatch = 8, nil
	// A run of a few thousand steps needs a faster pace than the
	// reference's tens of thousands: a larger learning rate, and a
	// moving average over fewer steps (with 0.999, Gs would still be
	// mostly its initial weights).
	c.LR, c.GLR, c.DLR = 0.003, nil, nil
	c.GSmoothing = 0.99
	c.TickKimgBase, c.TickKimg = 2, nil
	c.NetworkTicks = 1
	c.SWDImages = 128
	c.Grid = [2]int{8, 4}
	return c
}

// LearnConfig returns the configuration of the learning test: that of
// QuickConfig continued to 30 kimg, 3750 steps, the last 6 kimg at
// 16×16, with SWD of 256 samples every 2 kimg. It takes about four
// minutes on two cores and brings the SWD of the bundled synthetic shapes
// well below its starting value.
func LearnConfig(dataset, out string) Config {
	c := QuickConfig(dataset, out)
	c.TotalKimg = 30
	c.SWDImages = 256
	return c
}

// stage is the schedule at one point of the run (the reference's
// TrainingSchedule).
type stage struct {
	Kimg       float64
	LOD        float64 // level of detail: log2(R/res) while stable, fractional in a fade
	Resolution int     // 2^(log2 R − floor(lod)): the larger one in a fade
	Minibatch  int
	GLR, DLR   float64
	TickKimg   float64
}

// stageAt evaluates the schedule after nimg real images for a network of
// final resolution res (docs/trainer.md#schedule).
func (c *Config) stageAt(nimg int64, res int) stage {
	s := stage{Kimg: float64(nimg) / 1000}
	phase := c.PhaseKimg + c.FadeKimg
	var idx, phaseKimg float64
	if phase > 0 {
		idx = float64(int64(s.Kimg / phase))
		phaseKimg = s.Kimg - idx*phase
	}
	lod := float64(log2(res)) - float64(log2(c.InitialResolution)) - idx
	if c.FadeKimg > 0 {
		lod -= max(phaseKimg-c.PhaseKimg, 0) / c.FadeKimg
	}
	s.LOD = max(lod, 0)
	s.Resolution = res >> int(s.LOD)
	s.Minibatch = c.MinibatchBase
	if m, ok := c.Minibatch[s.Resolution]; ok {
		s.Minibatch = m
	}
	if m, ok := c.MaxMinibatch[s.Resolution]; ok {
		s.Minibatch = min(s.Minibatch, m)
	}
	s.GLR, s.DLR, s.TickKimg = c.LR, c.LR, c.TickKimgBase
	if v, ok := c.GLR[s.Resolution]; ok {
		s.GLR = v
	}
	if v, ok := c.DLR[s.Resolution]; ok {
		s.DLR = v
	}
	if v, ok := c.TickKimg[s.Resolution]; ok {
		s.TickKimg = v
	}
	return s
}

// Limits on a run's settings beyond those of the network (MaxFmap and the
// others): the counts they size stay in memory and in int64.
const (
	MaxKimg       = 1e7     // phase, fade, total and tick kimg: 10¹⁰ images
	MaxBatch      = 1 << 14 // minibatch
	MaxRepeats    = 1024    // minibatch repeats and D repeats
	MaxSWDImages  = 1 << 17 // SWD images
	MaxGrid       = 64      // sample grid images across or down
	MaxGridPixels = 1 << 29 // pixels of a sample grid (2 GiB as RGBA)
	MaxTicks      = 1 << 20 // image and network ticks
)

// finite reports whether v is neither infinite nor NaN.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// check validates the configuration for a network of final resolution res.
// Every comparison is written so that NaN fails it.
func (c *Config) check(res int) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Resolution != 0 && (!isPow2(c.Resolution) || c.Resolution < 4 || c.Resolution > MaxResolution) {
		bad("resolution %d: want 0 or a power of two from 4 to %d", c.Resolution, MaxResolution)
	}
	if c.FmapBase < 1 || c.FmapMax < 1 || c.FmapBase > MaxFmap || c.FmapMax > MaxFmap {
		bad("fmap base %d and max %d: want 1 to %d", c.FmapBase, c.FmapMax, MaxFmap)
	}
	if c.LatentSize < 0 || c.LatentSize > MaxLatent {
		bad("latent size %d: want 0 (automatic) to %d", c.LatentSize, MaxLatent)
	}
	if c.MbstdGroup < 1 || c.MbstdGroup > MaxMbstdGroup {
		bad("minibatch-stddev group %d: want 1 to %d", c.MbstdGroup, MaxMbstdGroup)
	}
	if c.Loss != "wgangp" && c.Loss != "lsgan" {
		bad("loss %q: want wgangp or lsgan", c.Loss)
	}
	if !isPow2(c.InitialResolution) || c.InitialResolution < 4 || c.InitialResolution > res {
		bad("initial resolution %d: want a power of two from 4 to %d", c.InitialResolution, res)
	}
	kimg := func(v float64) bool { return v >= 0 && v <= MaxKimg }
	// A total under one image would end the run before its first
	// checkpoint.
	if !kimg(c.PhaseKimg) || !kimg(c.FadeKimg) || !kimg(c.TotalKimg) || !(c.TotalKimg >= 0.001) {
		bad("kimg: phase %g and fade %g must be from 0 to %g, total %g from 0.001 to %g", c.PhaseKimg, c.FadeKimg, MaxKimg, c.TotalKimg, MaxKimg)
	}
	if !(c.LR > 0) || !finite(c.LR) || !(c.GSmoothing >= 0 && c.GSmoothing < 1) {
		bad("learning rate %g must be positive and finite and G smoothing %g in [0, 1)", c.LR, c.GSmoothing)
	}
	if c.MinibatchRepeats < 1 || c.DRepeats < 1 || c.MinibatchRepeats > MaxRepeats || c.DRepeats > MaxRepeats {
		bad("minibatch repeats %d and D repeats %d: want 1 to %d", c.MinibatchRepeats, c.DRepeats, MaxRepeats)
	}
	if !(c.TickKimgBase > 0 && c.TickKimgBase <= MaxKimg) || c.ImageTicks < 1 || c.NetworkTicks < 1 ||
		c.ImageTicks > MaxTicks || c.NetworkTicks > MaxTicks || c.SWDImages < 0 || c.SWDImages > MaxSWDImages {
		bad("tick kimg %g must be in (0, %g], image and network ticks %d, %d from 1 to %d, SWD images %d from 0 to %d",
			c.TickKimgBase, MaxKimg, c.ImageTicks, c.NetworkTicks, MaxTicks, c.SWDImages, MaxSWDImages)
	}
	if c.Grid[0] < 0 || c.Grid[1] < 0 || c.Grid[0] > MaxGrid || c.Grid[1] > MaxGrid {
		bad("grid %dx%d: want 1 to %d images across and down (0x0: automatic)", c.Grid[0], c.Grid[1], MaxGrid)
	} else if gw, gh := c.gridSize(res); int64(gw*res)*int64(gh*res) > MaxGridPixels {
		bad("grid %dx%d of %d×%d images: %d pixels, at most %d", gw, gh, res, res, int64(gw*res)*int64(gh*res), MaxGridPixels)
	}
	if c.MinibatchBase < 0 || c.MinibatchBase > MaxBatch {
		bad("minibatch base %d: want 1 to %d", c.MinibatchBase, MaxBatch)
	}
	for _, m := range []map[int]int{c.Minibatch, c.MaxMinibatch} {
		for r, v := range m {
			if !isPow2(r) || v < 1 || v > MaxBatch {
				bad("per-resolution minibatch %d:%d: want a power-of-two resolution and 1 to %d", r, v, MaxBatch)
			}
		}
	}
	for r := c.InitialResolution; r >= 4 && r <= res; r *= 2 {
		mb := c.MinibatchBase
		if m, ok := c.Minibatch[r]; ok {
			mb = m
		}
		if m, ok := c.MaxMinibatch[r]; ok {
			mb = min(mb, m)
		}
		g := max(min(c.MbstdGroup, mb), 1)
		if mb < 1 || mb%g != 0 {
			bad("minibatch %d at %d×%d: must be positive and a multiple of the minibatch-stddev group %d", mb, r, r, c.MbstdGroup)
		}
	}
	for _, m := range []struct {
		what string
		m    map[int]float64
		max  float64
	}{{"G learning rate", c.GLR, math.MaxFloat64}, {"D learning rate", c.DLR, math.MaxFloat64}, {"tick kimg", c.TickKimg, MaxKimg}} {
		for r, v := range m.m {
			if !isPow2(r) || !(v > 0 && v <= m.max) {
				bad("per-resolution %s %d:%g: want a power-of-two resolution and a positive value up to %g", m.what, r, v, m.max)
			}
		}
	}
	return errors.Join(errs...)
}

// gridSize returns the sample grid for final resolution res: the
// configured one, or the reference's setup_snapshot_image_grid rule for
// size '1080p'.
func (c *Config) gridSize(res int) (gw, gh int) {
	if c.Grid[0] > 0 && c.Grid[1] > 0 {
		return c.Grid[0], c.Grid[1]
	}
	return min(max(1920/res, 3), 32), min(max(1080/res, 2), 32)
}

func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

func log2(n int) int { return bits.Len(uint(n)) - 1 }
