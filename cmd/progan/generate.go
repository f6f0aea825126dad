package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/lockfile"
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
			out := fs.String("o", "", "output folder (required; new or empty)")
			num := fs.Int("num", 1000, fmt.Sprintf("images to write (at most %d)", maxGenerate))
			var opt trainer.GenerateOptions
			fs.Uint64Var(&opt.Seed, "seed", 0, "seed of the latents")
			fs.Float64Var(&opt.Truncation, "truncation", 0, fmt.Sprintf("redraw latent components beyond ±T (0: none; else at least %g)", trainer.MinTruncation))
			fs.IntVar(&opt.Class, "class", -1, "label class of a conditional model (-1: random per image)")
			device := fs.String("device", trainer.DefaultDevice(), "where to run G: cpu, or cuda (a build with -tags cuda)")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one RUN folder or checkpoint"); err != nil {
					return err
				}
				if *out == "" {
					return fmt.Errorf("-o DIR is required: %w", errUsage)
				}
				if *num < 1 || *num > maxGenerate {
					return fmt.Errorf("--num %d: want 1 to %d: %w", *num, maxGenerate, errUsage)
				}
				// Every comparison fails for NaN.
				if t := opt.Truncation; !(t == 0 || t >= trainer.MinTruncation && t <= math.MaxFloat64) {
					return fmt.Errorf("--truncation %g: want 0 (none) or a finite number from %g: %w", t, trainer.MinTruncation, errUsage)
				}
				if opt.Class < -1 || opt.Class >= trainer.MaxLabels {
					return fmt.Errorf("--class %d: want -1 (random) or a class from 0: %w", opt.Class, errUsage)
				}
				classSet := false
				fs.Visit(func(f *flag.Flag) { classSet = classSet || f.Name == "class" })
				return generate(ctx, e, args[0], *out, *num, *device, opt, classSet)
			}
		},
	})
}

// maxGenerate is the most images generate writes: their six-digit names
// then sort in order.
const maxGenerate = 1_000_000

func generate(ctx context.Context, e *env, src, out string, num int, device string, opt trainer.GenerateOptions, classSet bool) error {
	m, err := trainer.Load(src)
	if err != nil {
		return err
	}
	switch l := m.Arch.LabelSize; {
	case l == 0 && classSet:
		return fmt.Errorf("--class %d: %s is unconditional (no labels): %w", opt.Class, m.Path, errUsage)
	case l > 0 && opt.Class >= l:
		return fmt.Errorf("--class %d: %s has classes 0 to %d: %w", opt.Class, m.Path, l-1, errUsage)
	}
	dev, err := trainer.OpenDevice(device)
	if err != nil {
		return err
	}
	defer dev.Close()
	m.Use(dev)
	lock, err := lockOutputDir(out)
	if err != nil {
		return err
	}
	defer lock.Release()
	bar := e.bar("generate", num, "images")
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	i := 0
	for img, err := range m.Generate(ctx, num, opt) {
		if err != nil {
			bar.Finish()
			return err
		}
		if err := savePNG(&enc, filepath.Join(out, fmt.Sprintf("%06d.png", i)), img.Interleaved()); err != nil {
			bar.Finish()
			return err
		}
		i++
		bar.Add(1)
	}
	bar.Finish()
	fmt.Fprintf(e.stdout, "Wrote %d images of %d×%d (%s, kimg %.1f, lod %.2f) to %s\n",
		i, m.Arch.Resolution, m.Arch.Resolution, filepath.Base(m.Path), m.Kimg, m.LOD, out)
	return nil
}

// lockOutputDir locks the output folder dir against other progan
// processes and creates it; it must not exist or be empty, so that no
// earlier images are overwritten or mixed with the new ones.
func lockOutputDir(dir string) (*lockfile.Lock, error) {
	// The lock file lives beside the folder: its parent must exist.
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return nil, err
	}
	lock, err := lockfile.Acquire(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		err = fmt.Errorf("%s is not empty: choose a new or empty folder", dir)
	case err == nil || errors.Is(err, os.ErrNotExist):
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		lock.Release()
		return nil, err
	}
	return lock, nil
}

// savePNG writes img to path atomically (atomicfile.Write), so that a full
// disk or an interruption never leaves an empty or partial PNG; the file's
// mode is 0666 less the umask, as with os.Create.
func savePNG(enc *png.Encoder, path string, img image.Image) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return enc.Encode(w, img) }); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
