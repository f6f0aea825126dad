package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/progan/progan/celeba"
)

func init() {
	register(&command{
		name: "celeba",
		args: "CELEBA_DIR",
		summary: "pack aligned CelebA as the original's create_celeba: the 128×128 crop centred at\n" +
			"(cx, cy) of each 178×218 image, shuffled, no labels. CELEBA_DIR holds\n" +
			"img_align_celeba_png/*.png (the original's input) or the JPEG release\n" +
			"img_align_celeba/*.jpg (decoded as libjpeg-turbo, today's Pillow, decodes it).",
		example: "progan celeba -o datasets/celeba ~/downloads/celeba\n" +
			"progan celeba --cx 89 --cy 121 --allow-partial -o datasets/celeba-10k ~/celeba-10k",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o arrayOpts
			o.register(fs, "a number of images other than 202 599")
			cx := fs.Int("cx", 89, "crop centre column")
			cy := fs.Int("cy", 121, "crop centre row")
			keepGoing := fs.Bool("keep-going", false, "skip unreadable or wrongly sized images and list them")
			workers := fs.Int("workers", 0, fmt.Sprintf("parallel decoders, at most %d (default: all cores)", maxWorkers))
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one CELEBA_DIR"); err != nil {
					return err
				}
				if err := checkWorkers(*workers); err != nil {
					return err
				}
				if _, err := o.check(); err != nil {
					return err
				}
				if err := celeba.CheckCrop(*cx, *cy); err != nil {
					return fmt.Errorf("%v: %w", err, errUsage)
				}
				files, err := celeba.Files(args[0])
				if err != nil {
					return err
				}
				if len(files) != celeba.Images && !o.allowPartial {
					return fmt.Errorf("found %d images in %s, want %d (--allow-partial accepts a subset)", len(files), args[0], celeba.Images)
				}
				src, err := celeba.NewSource(args[0], files, celeba.SourceOptions{CX: *cx, CY: *cy, Seed: uint64(o.seed), Workers: *workers})
				if err != nil {
					return err
				}
				j, err := o.job("celeba", src)
				if err != nil {
					return err
				}
				j.opt.KeepGoing = *keepGoing
				j.strictHint = "fix or remove the file, or pass --keep-going to skip such files"
				return runPack(ctx, e, j)
			}
		},
	})
}
