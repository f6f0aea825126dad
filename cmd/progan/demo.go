package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/progan/progan/cmd/progan/internal/imageset"
	"github.com/progan/progan/trainer"
)

func init() {
	register(&command{
		name: "demo",
		args: "",
		summary: "run the main job end to end on the bundled testdata/images: pack the 256\n" +
			"images into a dataset (shuffled as the original does), verify it deeply, show\n" +
			"its tiers, score it, extract a few records as PNG with a contact sheet, and\n" +
			"train a small Progressive GAN on it for about a minute (--train-kimg 0 skips it).",
		example: "go run ./cmd/progan demo\nprogan demo --out /tmp/progan-demo",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", filepath.Join("testdata", "images"), "folder of demo images (run from the repository root)")
			out := fs.String("out", filepath.Join(os.TempDir(), "progan-demo"), "folder for the demo's outputs (replaced)")
			kimg := fs.Float64("train-kimg", 18, "thousands of images shown in the short training run (0: no training)")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 0, "no arguments"); err != nil {
					return err
				}
				return demo(ctx, e, *data, *out, *kimg)
			}
		},
	})
}

func demo(ctx context.Context, e *env, data, out string, kimg float64) error {
	if _, err := os.Stat(data); err != nil {
		return fmt.Errorf("demo images not found (%v): run from the repository root or pass --data DIR", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	dataset := filepath.Join(out, "demo")
	step := func(n int, what string) { fmt.Fprintf(e.stdout, "\n== %d. %s\n", n, what) }

	step(1, "pack "+data+" (shuffled, RandomState(123))")
	if err := packImages(ctx, e, packOpts{dir: data, out: dataset, filter: "lanczos", shuffle: true, seed: 123, compress: "none"}); err != nil {
		return err
	}
	step(2, "verify --deep")
	if err := verify(e, dataset, true, false); err != nil {
		return err
	}
	step(3, "info")
	if err := info(e, dataset, false); err != nil {
		return err
	}
	step(4, "msssim: diversity of the dataset (mean MS-SSIM of consecutive pairs)")
	if err := scoreMSSSIM(ctx, e, dataset, imageset.Options{}, 256, false); err != nil {
		return err
	}
	step(5, "swd: the dataset's first 128 images against its next 128 (noise floor) and against the first 128 input files")
	if err := scoreSWD(ctx, e, dataset, data, swdOpts{num: 128, seed: 123, rng: "fast", noiseFloor: true, set: imageset.Options{Filter: "lanczos"}}); err != nil {
		return err
	}
	step(6, "extract the first 8 records of every tier")
	for _, res := range []int{64, 32, 16, 8, 4} {
		dst := filepath.Join(out, fmt.Sprintf("extract-%d", res))
		if err := extract(ctx, e, dataset, dst, res, 0, 8); err != nil {
			return err
		}
	}
	sheet := filepath.Join(out, "tiers.png")
	if err := writeSheet(dataset, sheet, 0, 8); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Contact sheet of records 0-7 in every tier: %s\n", sheet)
	if kimg > 0 {
		step(7, fmt.Sprintf("train: a small Progressive GAN (32 feature maps, up to 16×16) for %g kimg", kimg))
		run := filepath.Join(out, "run")
		cfg := trainer.QuickConfig(dataset, run)
		cfg.TotalKimg = kimg
		cfg.Log = func(s string) { fmt.Fprintln(e.stdout, s) }
		if err := trainer.Train(ctx, cfg); err != nil {
			return err
		}
		grids, _ := filepath.Glob(filepath.Join(run, "fakes*.png"))
		if len(grids) > 0 {
			fmt.Fprintf(e.stdout, "Samples of the generator: %s (reals: %s; SWD curve: %s)\n",
				grids[len(grids)-1], filepath.Join(run, "reals.png"), filepath.Join(run, "swd.png"))
		}
	}
	fmt.Fprintf(e.stdout, "\nDone. The dataset is in %s; PNGs of its tiers are in %s/extract-*.\n", dataset, out)
	return nil
}
