package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/progan/progan/cmd/progan/internal/imageset"
	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/swd"
)

func init() {
	register(&command{
		name: "swd",
		args: "REALS FAKES",
		summary: "score FAKES against REALS with the paper's Laplacian-pyramid sliced Wasserstein\n" +
			"distance: 128 7×7 neighbourhoods per image per level (full size down to 16),\n" +
			"512 random directions; SWD×1e3 per level and their average (lower is better).\n" +
			"REALS and FAKES are folders of images (sorted names), datasets (full-resolution\n" +
			"tier, or --tier R) or .zip files of images. --rng numpy draws from numpy's\n" +
			"RandomState(seed) in the original's order, for numbers comparable with it.",
		example: "progan swd datasets/celebahq fakes/\n" +
			"progan swd --num 8192 --noise-floor --json datasets/lsun-cat ./samples.zip",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o swdOpts
			fs.IntVar(&o.num, "num", 16384, "images per set")
			fs.Int64Var(&o.seed, "seed", 123, "seed of the neighbourhoods and directions")
			fs.StringVar(&o.rng, "rng", "fast", "random stream: fast, or numpy (the original's draws, slower)")
			fs.BoolVar(&o.noiseFloor, "noise-floor", false, "also score the next --num reals against the first (the original's \"Reals2\" row)")
			fs.IntVar(&o.set.Tier, "tier", 0, "dataset tier to read (default: full resolution)")
			fs.IntVar(&o.set.Resolution, "resolution", 0, "centre-crop and resize folder/zip images to R×R")
			fs.StringVar(&o.set.Filter, "resize-filter", "lanczos", "resize filter: "+strings.Join(imagefile.FilterNames(), ", "))
			fs.BoolVar(&o.json, "json", false, "print JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 2, "REALS and FAKES"); err != nil {
					return err
				}
				return scoreSWD(ctx, e, args[0], args[1], o)
			}
		},
	})
}

type swdOpts struct {
	num        int
	seed       int64
	rng        string
	noiseFloor bool
	json       bool
	set        imageset.Options
}

type swdOutput struct {
	*swd.Result
	NoiseFloor *swd.Result `json:"noise_floor,omitempty"`
}

func scoreSWD(ctx context.Context, e *env, realsPath, fakesPath string, o swdOpts) error {
	if o.rng != "fast" && o.rng != "numpy" {
		return fmt.Errorf("--rng %q: want fast or numpy: %w", o.rng, errUsage)
	}
	if o.num < swd.MinImages {
		return fmt.Errorf("--num %d: need at least %d images: %w", o.num, swd.MinImages, errUsage)
	}
	reals, err := imageset.Open(realsPath, o.set)
	if err != nil {
		return err
	}
	defer reals.Close()
	fakes, err := imageset.Open(fakesPath, o.set)
	if err != nil {
		return err
	}
	defer fakes.Close()
	n := min(o.num, fakes.Count, reals.Count)
	if o.noiseFloor && reals.Count < 2*n {
		n = min(n, reals.Count/2)
		fmt.Fprintf(e.stderr, "progan swd: warning: --noise-floor needs 2 × %d reals, %s has %d: using %d per set\n", o.num, realsPath, reals.Count, n)
	} else if n < o.num {
		fmt.Fprintf(e.stderr, "progan swd: warning: fewer than --num %d images (reals %d, fakes %d): using %d per set\n", o.num, reals.Count, fakes.Count, n)
	}
	if n < swd.MinImages {
		return fmt.Errorf("too few images: %d per set", n)
	}
	total := 2 * n
	if o.noiseFloor {
		total += n
	}
	bar := e.bar("swd", total, "images")
	ev, err := swd.New(swd.Options{Seed: uint64(o.seed), Numpy: o.rng == "numpy", Progress: bar.Add})
	if err != nil {
		bar.Finish()
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	// The original's order: reals, reals vs reals, then "Reals2", then fakes.
	var out swdOutput
	err = func() error {
		a, err := ev.Collect(ctx, reals.Range(ctx, 0, n))
		if err != nil {
			return fmt.Errorf("reals: %w", err)
		}
		if _, err := ev.Compare(ctx, a, a); err != nil {
			return err
		}
		if o.noiseFloor {
			a2, err := ev.Collect(ctx, reals.Range(ctx, n, 2*n))
			if err != nil {
				return fmt.Errorf("reals2: %w", err)
			}
			out.NoiseFloor, err = ev.Compare(ctx, a, a2)
			a2.Release() // before the fakes are described
			if err != nil {
				return err
			}
		}
		b, err := ev.Collect(ctx, fakes.Range(ctx, 0, n))
		if err != nil {
			return fmt.Errorf("fakes: %w", err)
		}
		out.Result, err = ev.Compare(ctx, a, b)
		return err
	}()
	bar.Finish()
	if err != nil {
		return err
	}
	if o.json {
		return e.printJSON(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "SWD×1e3\t")
	for _, r := range out.Resolutions {
		fmt.Fprintf(tw, "%d\t", r)
	}
	fmt.Fprintln(tw, "avg\t")
	row := func(name string, r *swd.Result) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, v := range r.SWD {
			fmt.Fprintf(tw, "%.4f\t", v)
		}
		fmt.Fprintf(tw, "%.4f\t\n", r.Avg)
	}
	if out.NoiseFloor != nil {
		row("reals2", out.NoiseFloor)
	}
	row("fakes", out.Result)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d images per set, seed %d (%s), %.1fs\n", n, o.seed, o.rng, bar.Elapsed().Seconds())
	return nil
}
