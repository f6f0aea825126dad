package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/progan/progan/trainer"
)

func init() {
	register(&command{
		name: "generate",
		args: "-o DIR RUN_OR_CHECKPOINT",
		summary: "write --num images of a trained generator (the moving average Gs of a\n" +
			"checkpoint, or of a run folder's newest one) to DIR as 000000.png, 000001.png, …\n" +
			"at the run's resolution, for scoring with 'progan swd' and 'progan msssim'.\n" +
			"Image i depends only on --seed and i. --truncation T redraws latent components\n" +
			"beyond ±T (fewer, more typical samples).",
		example: "progan generate -o fakes --num 16384 runs/celebahq\n" +
			"progan swd datasets/celebahq fakes",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("o", "", "output folder (required)")
			num := fs.Int("num", 1000, "images to write")
			var opt trainer.GenerateOptions
			fs.Uint64Var(&opt.Seed, "seed", 0, "seed of the latents")
			fs.Float64Var(&opt.Truncation, "truncation", 0, "redraw latent components beyond ±T (0: none)")
			fs.IntVar(&opt.Class, "class", -1, "label class of a conditional model (-1: random per image)")
			device := fs.String("device", trainer.DefaultDevice(), "where to run G: cpu, or cuda (a build with -tags cuda)")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one RUN folder or checkpoint"); err != nil {
					return err
				}
				if *out == "" {
					return fmt.Errorf("-o DIR is required: %w", errUsage)
				}
				if *num < 1 || opt.Truncation < 0 {
					return fmt.Errorf("--num %d must be positive and --truncation %g not negative: %w", *num, opt.Truncation, errUsage)
				}
				return generate(ctx, e, args[0], *out, *num, *device, opt)
			}
		},
	})
}

func generate(ctx context.Context, e *env, src, out string, num int, device string, opt trainer.GenerateOptions) error {
	m, err := trainer.Load(src)
	if err != nil {
		return err
	}
	dev, err := trainer.OpenDevice(device)
	if err != nil {
		return err
	}
	defer dev.Close()
	m.Use(dev)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	bar := e.bar("generate", num, "images")
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	i := 0
	for img, err := range m.Generate(ctx, num, opt) {
		if err != nil {
			bar.Finish()
			return err
		}
		path := filepath.Join(out, fmt.Sprintf("%06d.png", i))
		f, err := os.Create(path)
		if err != nil {
			bar.Finish()
			return err
		}
		err = enc.Encode(f, img.Interleaved())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			bar.Finish()
			return fmt.Errorf("%s: %w", path, err)
		}
		i++
		bar.Add(1)
	}
	bar.Finish()
	fmt.Fprintf(e.stdout, "Wrote %d images of %d×%d (%s, kimg %.1f, lod %.2f) to %s\n",
		i, m.Arch.Resolution, m.Arch.Resolution, filepath.Base(m.Path), m.Kimg, m.LOD, out)
	return nil
}
