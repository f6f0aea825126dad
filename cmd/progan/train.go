package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/progan/progan/trainer"
)

func init() {
	register(&command{
		name: "train",
		args: "-o RUN DATASET",
		summary: "train a Progressive GAN on DATASET (a packed dataset) as the paper does: G and D\n" +
			"grow from 4×4 to the dataset's resolution, 600 kimg stable and 600 kimg fading\n" +
			"per resolution, WGAN-GP, Adam, per-resolution minibatch (the original's one-GPU\n" +
			"preset). RUN receives config.json, log.txt, stats.jsonl, reals.png, sample grids\n" +
			"fakesKKKKKK.png of the moving-average generator, SWD of its samples against the\n" +
			"reals (swd.png) and safetensors checkpoints. Interrupting (Ctrl-C) writes a\n" +
			"checkpoint; --resume continues exactly where the run stopped. --quick is a\n" +
			"one-minute demonstration: 32 channels, 18 kimg, up to 8×8. --device cuda trains on\n" +
			"an NVIDIA GPU (a binary built with -tags cuda; its default there); the CPU cores\n" +
			"suit small networks only. A run resumes on either device.",
		example: "progan train -o runs/celebahq --mirror datasets/celebahq\n" +
			"progan train -o runs/run1 --resume --total-kimg 15000\n" +
			"progan train -o /tmp/quick --quick datasets/shapes\n" +
			"progan train -o runs/run1 --resume --device cpu",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			o := bindTrainFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				o.visit(fs)
				return train(ctx, e, *o, args)
			}
		},
	})
}

type trainOpts struct {
	out, minibatch, maxMinibatch, lrDict, grid string
	resume, quick                              bool
	cfg                                        trainer.Config
	set                                        map[string]bool
}

// bindTrainFlags defines the train command's flags on fs, bound to the
// returned options.
func bindTrainFlags(fs *flag.FlagSet) *trainOpts {
	def := trainer.DefaultConfig("", "")
	o := &trainOpts{}
	fs.StringVar(&o.out, "o", "", "run folder (required; new or empty unless --resume)")
	fs.BoolVar(&o.resume, "resume", false, "continue the run in -o from its newest checkpoint")
	fs.BoolVar(&o.quick, "quick", false, "start from the one-minute demonstration settings instead of the paper's")
	fs.IntVar(&o.cfg.Resolution, "resolution", 0, "final resolution (default: the dataset's; smaller uses its lower tiers)")
	fs.BoolVar(&o.cfg.Mirror, "mirror", false, "mirror real images at random (mirror_augment)")
	fs.BoolVar(&o.cfg.NoLabels, "no-labels", false, "train unconditionally even if the dataset has labels")
	fs.IntVar(&o.cfg.FmapBase, "fmap-base", def.FmapBase, "channels: min(fmap-base/2^stage, fmap-max)")
	fs.IntVar(&o.cfg.FmapMax, "fmap-max", def.FmapMax, "most channels in any layer")
	fs.IntVar(&o.cfg.LatentSize, "latent", 0, "latent size (default: the 4×4 block's channels, 512)")
	fs.IntVar(&o.cfg.MbstdGroup, "mbstd-group", def.MbstdGroup, "minibatch-stddev group size (1: none)")
	fs.StringVar(&o.cfg.Loss, "loss", def.Loss, "loss: wgangp, or lsgan (the Theano version's)")
	fs.IntVar(&o.cfg.InitialResolution, "initial-resolution", def.InitialResolution, "resolution to start at")
	fs.Float64Var(&o.cfg.PhaseKimg, "phase-kimg", def.PhaseKimg, "kimg per resolution while stable")
	fs.Float64Var(&o.cfg.FadeKimg, "fade-kimg", -1, "kimg per fade-in (-1: as --phase-kimg)")
	fs.Float64Var(&o.cfg.TotalKimg, "total-kimg", def.TotalKimg, "length of the run")
	fs.IntVar(&o.cfg.MinibatchBase, "minibatch-base", def.MinibatchBase, "minibatch where --minibatch lists none")
	fs.StringVar(&o.minibatch, "minibatch", formatMap(def.Minibatch), "minibatch per resolution, RES:N,…")
	fs.StringVar(&o.maxMinibatch, "max-minibatch", formatMap(def.MaxMinibatch), "cap on the minibatch per resolution, RES:N,…")
	fs.Float64Var(&o.cfg.LR, "lr", def.LR, "learning rate of G and D")
	fs.StringVar(&o.lrDict, "lr-dict", formatMap(def.GLR), "learning rate per resolution, RES:LR,…")
	fs.Float64Var(&o.cfg.TickKimgBase, "tick-kimg", 0, "kimg per tick at every resolution (default: 160 at 4×4 down to 10 at 1024²)")
	fs.IntVar(&o.cfg.MinibatchRepeats, "repeats", def.MinibatchRepeats, "minibatches per evaluation of the schedule")
	fs.IntVar(&o.cfg.DRepeats, "d-repeats", def.DRepeats, "D steps per G step")
	fs.Float64Var(&o.cfg.GSmoothing, "g-smoothing", def.GSmoothing, "β of the generator's moving average Gs")
	fs.BoolVar(&o.cfg.NoReset, "no-reset", false, "keep the Adam state across fades")
	fs.Uint64Var(&o.cfg.Seed, "seed", def.Seed, "seed of every random choice")
	fs.IntVar(&o.cfg.ImageTicks, "image-ticks", def.ImageTicks, "ticks between sample grids")
	fs.IntVar(&o.cfg.NetworkTicks, "network-ticks", def.NetworkTicks, "ticks between checkpoints and SWD")
	fs.IntVar(&o.cfg.SWDImages, "swd-images", def.SWDImages, "Gs samples and reals per SWD evaluation (0: none)")
	fs.StringVar(&o.cfg.Device, "device", trainer.DefaultDevice(), "where to train: cpu, or cuda (an NVIDIA GPU; needs a build with -tags cuda)")
	fs.StringVar(&o.grid, "grid", "", "sample grid WxH (default: the original's rule, 32x32 at 32²)")
	return o
}

// visit records which flags were given.
func (o *trainOpts) visit(fs *flag.FlagSet) {
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
}

// resumeFlags are the flags a resumed run may change.
var resumeFlags = []string{"o", "resume", "quiet", "device", "total-kimg", "image-ticks", "network-ticks", "swd-images", "grid"}

func train(ctx context.Context, e *env, o trainOpts, args []string) error {
	if o.out == "" {
		return fmt.Errorf("-o RUN is required: %w", errUsage)
	}
	if err := o.check(); err != nil {
		return err
	}
	var cfg trainer.Config
	if o.resume {
		if len(args) > 1 {
			return fmt.Errorf("want at most one DATASET with --resume, got %d arguments: %w", len(args), errUsage)
		}
		if err := o.checkUnchanged(); err != nil {
			return err
		}
		cfg = trainer.Config{Out: o.out, Resume: true, Device: o.cfg.Device}
		if len(args) == 1 {
			cfg.Dataset = args[0]
		}
		if o.set["total-kimg"] {
			cfg.TotalKimg = o.cfg.TotalKimg
		}
		if o.set["image-ticks"] {
			cfg.ImageTicks = o.cfg.ImageTicks
		}
		if o.set["network-ticks"] {
			cfg.NetworkTicks = o.cfg.NetworkTicks
		}
		if o.set["swd-images"] {
			cfg.SWDImages = o.cfg.SWDImages
		}
	} else {
		if err := wantArgs(args, 1, "one DATASET"); err != nil {
			return err
		}
		var err error
		if cfg, err = o.config(args[0]); err != nil {
			return err
		}
	}
	if o.grid != "" {
		w, h, err := parseGrid(o.grid)
		if err != nil {
			return err
		}
		cfg.Grid = [2]int{w, h}
	}
	if !e.quiet {
		cfg.Log = func(line string) { fmt.Fprintln(e.stdout, line) }
	}
	err := trainer.Train(ctx, cfg)
	if errors.Is(err, trainer.ErrTooFewForSWD) {
		err = fmt.Errorf("%w; --swd-images 0 turns SWD off", err)
	}
	return err
}

// parseGrid parses --grid WxH.
func parseGrid(s string) (w, h int, err error) {
	n, err := fmt.Sscanf(s, "%dx%d", &w, &h)
	if n != 2 || err != nil || w < 1 || h < 1 || w > trainer.MaxGrid || h > trainer.MaxGrid {
		return 0, 0, fmt.Errorf("--grid %q: want WxH, 1 to %d each, such as 8x4: %w", s, trainer.MaxGrid, errUsage)
	}
	return w, h, nil
}

// check validates every numeric flag given against the limits of a run,
// so that a value out of range is a usage error naming its flag rather
// than a failure (or a crash) deep in training.
func (o *trainOpts) check() error {
	f := o.cfg
	for _, l := range []struct {
		name   string
		v      int
		lo, hi int
		pow2   bool // a power of two (0 too where lo is 0)
	}{
		{"resolution", f.Resolution, 0, trainer.MaxResolution, true},
		{"fmap-base", f.FmapBase, 1, trainer.MaxFmap, false},
		{"fmap-max", f.FmapMax, 1, trainer.MaxFmap, false},
		{"latent", f.LatentSize, 0, trainer.MaxLatent, false},
		{"mbstd-group", f.MbstdGroup, 1, trainer.MaxMbstdGroup, false},
		{"initial-resolution", f.InitialResolution, 4, trainer.MaxResolution, true},
		{"minibatch-base", f.MinibatchBase, 1, trainer.MaxBatch, false},
		{"repeats", f.MinibatchRepeats, 1, trainer.MaxRepeats, false},
		{"d-repeats", f.DRepeats, 1, trainer.MaxRepeats, false},
		{"image-ticks", f.ImageTicks, 1, trainer.MaxTicks, false},
		{"network-ticks", f.NetworkTicks, 1, trainer.MaxTicks, false},
		{"swd-images", f.SWDImages, 0, trainer.MaxSWDImages, false},
	} {
		if !o.set[l.name] {
			continue
		}
		if l.v < l.lo || l.v > l.hi || l.pow2 && l.v != 0 && l.v&(l.v-1) != 0 {
			kind := ""
			if l.pow2 {
				kind = " (a power of two)"
			}
			return fmt.Errorf("--%s %d: want %d to %d%s: %w", l.name, l.v, l.lo, l.hi, kind, errUsage)
		}
	}
	// Every comparison fails for NaN.
	for _, l := range []struct {
		name string
		v    float64
		ok   bool
		want string
	}{
		{"phase-kimg", f.PhaseKimg, f.PhaseKimg >= 0 && f.PhaseKimg <= trainer.MaxKimg, fmt.Sprintf("0 to %g", trainer.MaxKimg)},
		{"fade-kimg", f.FadeKimg, f.FadeKimg == -1 || f.FadeKimg >= 0 && f.FadeKimg <= trainer.MaxKimg, fmt.Sprintf("0 to %g, or -1", trainer.MaxKimg)},
		{"total-kimg", f.TotalKimg, f.TotalKimg >= 0.001 && f.TotalKimg <= trainer.MaxKimg, fmt.Sprintf("0.001 to %g", trainer.MaxKimg)},
		{"tick-kimg", f.TickKimgBase, f.TickKimgBase > 0 && f.TickKimgBase <= trainer.MaxKimg, fmt.Sprintf("more than 0, at most %g", trainer.MaxKimg)},
		{"lr", f.LR, f.LR > 0 && f.LR <= math.MaxFloat64, "a positive finite number"},
		{"g-smoothing", f.GSmoothing, f.GSmoothing >= 0 && f.GSmoothing < 1, "0 or more, less than 1"},
	} {
		if o.set[l.name] && !l.ok {
			return fmt.Errorf("--%s %g: want %s: %w", l.name, l.v, l.want, errUsage)
		}
	}
	for _, m := range []struct{ name, v string }{{"minibatch", o.minibatch}, {"max-minibatch", o.maxMinibatch}} {
		if !o.set[m.name] {
			continue
		}
		mb, err := parseIntMap(m.v)
		if err != nil {
			return fmt.Errorf("--%s: %v: %w", m.name, err, errUsage)
		}
		for r, n := range mb {
			if n < 1 || n > trainer.MaxBatch || r > trainer.MaxResolution {
				return fmt.Errorf("--%s %d:%d: want a resolution up to %d and a minibatch of 1 to %d: %w", m.name, r, n, trainer.MaxResolution, trainer.MaxBatch, errUsage)
			}
		}
	}
	if o.set["lr-dict"] {
		lr, err := parseFloatMap(o.lrDict)
		if err != nil {
			return fmt.Errorf("--lr-dict: %v: %w", err, errUsage)
		}
		for r, v := range lr {
			if !(v > 0 && v <= math.MaxFloat64) || r > trainer.MaxResolution {
				return fmt.Errorf("--lr-dict %d:%g: want a resolution up to %d and a positive finite rate: %w", r, v, trainer.MaxResolution, errUsage)
			}
		}
	}
	if o.grid != "" {
		if _, _, err := parseGrid(o.grid); err != nil {
			return err
		}
	}
	return nil
}

// runFields gives, for the flags a resumed run cannot change, the flag's
// setting in a configuration, formatted for comparison and messages: a
// flag that repeats the run's saved value changes nothing and is
// accepted. Defaults resolved from the network (resolution and latent 0)
// are compared resolved.
var runFields = map[string]func(c trainer.Config, a trainer.Arch) string{
	"resolution": func(c trainer.Config, a trainer.Arch) string {
		return strconv.Itoa(cmp.Or(c.Resolution, a.Resolution))
	},
	"mirror":             func(c trainer.Config, _ trainer.Arch) string { return strconv.FormatBool(c.Mirror) },
	"no-labels":          func(c trainer.Config, _ trainer.Arch) string { return strconv.FormatBool(c.NoLabels) },
	"no-reset":           func(c trainer.Config, _ trainer.Arch) string { return strconv.FormatBool(c.NoReset) },
	"fmap-base":          func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.FmapBase) },
	"fmap-max":           func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.FmapMax) },
	"latent":             func(c trainer.Config, a trainer.Arch) string { return strconv.Itoa(cmp.Or(c.LatentSize, a.LatentSize)) },
	"mbstd-group":        func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.MbstdGroup) },
	"loss":               func(c trainer.Config, _ trainer.Arch) string { return c.Loss },
	"initial-resolution": func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.InitialResolution) },
	"phase-kimg":         func(c trainer.Config, _ trainer.Arch) string { return fmtFloat(c.PhaseKimg) },
	"fade-kimg":          func(c trainer.Config, _ trainer.Arch) string { return fmtFloat(c.FadeKimg) },
	"minibatch-base":     func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.MinibatchBase) },
	"minibatch":          func(c trainer.Config, _ trainer.Arch) string { return fmtMap(formatMap(c.Minibatch)) },
	"max-minibatch":      func(c trainer.Config, _ trainer.Arch) string { return fmtMap(formatMap(c.MaxMinibatch)) },
	"lr":                 func(c trainer.Config, _ trainer.Arch) string { return fmtFloat(c.LR) },
	"lr-dict": func(c trainer.Config, _ trainer.Arch) string {
		g, d := fmtMap(formatMap(c.GLR)), fmtMap(formatMap(c.DLR))
		if g == d {
			return g
		}
		return "G " + g + ", D " + d
	},
	"tick-kimg": func(c trainer.Config, _ trainer.Arch) string {
		s := fmtFloat(c.TickKimgBase)
		if len(c.TickKimg) > 0 {
			s += " with " + formatMap(c.TickKimg) // --tick-kimg leaves no per-resolution values
		}
		return s
	},
	"repeats":     func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.MinibatchRepeats) },
	"d-repeats":   func(c trainer.Config, _ trainer.Arch) string { return strconv.Itoa(c.DRepeats) },
	"g-smoothing": func(c trainer.Config, _ trainer.Arch) string { return fmtFloat(c.GSmoothing) },
	"seed":        func(c trainer.Config, _ trainer.Arch) string { return strconv.FormatUint(c.Seed, 10) },
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func fmtMap(s string) string { return cmp.Or(s, `""`) }

// checkUnchanged refuses, when resuming, a flag the run cannot change
// given with another value than the run's.
func (o *trainOpts) checkUnchanged() error {
	var fixed []string
	for name := range o.set {
		if !slices.Contains(resumeFlags, name) {
			fixed = append(fixed, name)
		}
	}
	if len(fixed) == 0 {
		return nil
	}
	slices.Sort(fixed)
	only := strings.Join(resumeFlags[3:], ", --")
	saved, arch, err := trainer.Saved(o.out)
	if err != nil {
		return err
	}
	given, err := o.config(saved.Dataset)
	if err != nil {
		return err
	}
	for _, name := range fixed {
		field, ok := runFields[name]
		if !ok {
			return fmt.Errorf("--%s cannot be given when resuming (only --%s can change): %w", name, only, errUsage)
		}
		if v, was := field(given, arch), field(saved, arch); v != was {
			return fmt.Errorf("--%s cannot change when resuming: the run has %s, not %s (only --%s can change): %w", name, was, v, only, errUsage)
		}
	}
	return nil
}

// config builds a new run's configuration: the paper's (or with --quick
// the demonstration's) with the flags given on top.
func (o trainOpts) config(dataset string) (trainer.Config, error) {
	cfg := trainer.DefaultConfig(dataset, o.out)
	if o.quick {
		cfg = trainer.QuickConfig(dataset, o.out)
	}
	cfg.Device = o.cfg.Device
	f := o.cfg
	set := func(name string, apply func()) {
		if o.set[name] || !o.quick {
			apply()
		}
	}
	set("resolution", func() { cfg.Resolution = f.Resolution })
	set("fmap-base", func() { cfg.FmapBase = f.FmapBase })
	set("fmap-max", func() { cfg.FmapMax = f.FmapMax })
	set("latent", func() { cfg.LatentSize = f.LatentSize })
	set("mbstd-group", func() { cfg.MbstdGroup = f.MbstdGroup })
	set("loss", func() { cfg.Loss = f.Loss })
	set("initial-resolution", func() { cfg.InitialResolution = f.InitialResolution })
	set("phase-kimg", func() { cfg.PhaseKimg = f.PhaseKimg })
	set("total-kimg", func() { cfg.TotalKimg = f.TotalKimg })
	set("minibatch-base", func() { cfg.MinibatchBase = f.MinibatchBase })
	set("lr", func() { cfg.LR = f.LR })
	set("repeats", func() { cfg.MinibatchRepeats = f.MinibatchRepeats })
	set("d-repeats", func() { cfg.DRepeats = f.DRepeats })
	set("g-smoothing", func() { cfg.GSmoothing = f.GSmoothing })
	set("seed", func() { cfg.Seed = f.Seed })
	set("image-ticks", func() { cfg.ImageTicks = f.ImageTicks })
	set("network-ticks", func() { cfg.NetworkTicks = f.NetworkTicks })
	set("swd-images", func() { cfg.SWDImages = f.SWDImages })
	cfg.Mirror, cfg.NoLabels, cfg.NoReset = f.Mirror, f.NoLabels, f.NoReset
	switch {
	case o.set["fade-kimg"] && f.FadeKimg >= 0:
		cfg.FadeKimg = f.FadeKimg
	case o.set["fade-kimg"]: // -1: as --phase-kimg
		cfg.FadeKimg = cfg.PhaseKimg
	case o.set["phase-kimg"]:
		cfg.FadeKimg = f.PhaseKimg
	}
	if o.set["tick-kimg"] {
		cfg.TickKimgBase, cfg.TickKimg = f.TickKimgBase, nil
	}
	var err error
	if o.set["minibatch"] || !o.quick {
		if cfg.Minibatch, err = parseIntMap(o.minibatch); err != nil {
			return cfg, fmt.Errorf("--minibatch: %v: %w", err, errUsage)
		}
	}
	if cfg.MaxMinibatch, err = parseIntMap(o.maxMinibatch); err != nil {
		return cfg, fmt.Errorf("--max-minibatch: %v: %w", err, errUsage)
	}
	if o.set["lr-dict"] || !o.quick {
		lr, err := parseFloatMap(o.lrDict)
		if err != nil {
			return cfg, fmt.Errorf("--lr-dict: %v: %w", err, errUsage)
		}
		cfg.GLR, cfg.DLR = lr, lr
	}
	return cfg, nil
}
