package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/progan/progan/cmd/progan/internal/imageset"
	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/msssim"
)

func init() {
	register(&command{
		name: "msssim",
		args: "IMAGES",
		summary: "score the diversity of an image set with MS-SSIM as the paper does: mean\n" +
			"MS-SSIM over consecutive pairs (0,1), (2,3), … of the first --num images\n" +
			"(lower = more diverse). IMAGES is a folder of images (sorted names), a\n" +
			"dataset (its full-resolution tier, or --tier R) or a .zip of images.",
		example: "progan msssim --num 20000 fakes/\nprogan msssim --tier 128 --json datasets/celebahq",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			num := fs.Int("num", 20000, "images to use (pairs = num/2)")
			tier := fs.Int("tier", 0, "dataset tier to read (default: full resolution)")
			res := fs.Int("resolution", 0, "centre-crop and resize folder/zip images to R×R")
			filter := fs.String("resize-filter", "lanczos", "resize filter: "+strings.Join(imagefile.FilterNames(), ", "))
			asJSON := fs.Bool("json", false, `print {"msssim":x,"pairs":n}`)
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one IMAGES folder, dataset or zip"); err != nil {
					return err
				}
				return scoreMSSSIM(ctx, e, args[0], imageset.Options{Tier: *tier, Resolution: *res, Filter: *filter}, *num, *asJSON)
			}
		},
	})
}

// openSet opens an image set and warns when it holds fewer than num images.
func openSet(e *env, path string, opt imageset.Options, num int) (*imageset.Set, int, error) {
	s, err := imageset.Open(path, opt)
	if err != nil {
		return nil, 0, err
	}
	if s.Count < num {
		fmt.Fprintf(e.stderr, "progan msssim: warning: %s has %d images, fewer than --num %d: using all %d\n", path, s.Count, num, s.Count)
		num = s.Count
	}
	return s, num, nil
}

type msssimResult struct {
	MSSSIM float64 `json:"msssim"`
	Pairs  int     `json:"pairs"`
}

func scoreMSSSIM(ctx context.Context, e *env, path string, opt imageset.Options, num int, asJSON bool) error {
	if num < 2 {
		return fmt.Errorf("--num %d: need at least 2 images: %w", num, errUsage)
	}
	s, num, err := openSet(e, path, opt, num)
	if err != nil {
		return err
	}
	defer s.Close()
	bar := e.bar("ms-ssim", num, "images")
	score, pairs, err := msssim.Score(ctx, s.Images(ctx, num), msssim.Options{Progress: bar.Add})
	bar.Finish()
	if err != nil {
		return err
	}
	if asJSON {
		return e.printJSON(msssimResult{score, pairs})
	}
	fmt.Fprintf(e.stdout, "MS-SSIM %.6f over %d pairs of %s (%.1fs)\n", score, pairs, path, bar.Elapsed().Seconds())
	return nil
}
