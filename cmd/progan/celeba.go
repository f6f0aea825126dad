package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"slices"

	"github.com/progan/progan/internal/celeba"
	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/pyramid"
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
				j, err := o.job("celeba", args[0], files, len(files), nil, nil)
				if err != nil {
					return err
				}
				j.opt.Fingerprint += fmt.Sprintf("-%d-%d-%v", *cx, *cy, *keepGoing)
				j.strictHint = "fix or remove the file, or pass --keep-going to skip such files"
				order := nprand.New(uint32(o.seed)).Permutation(len(files))
				j.items = func(ctx context.Context, done, _ int) iter.Seq2[packItem, error] {
					return func(yield func(packItem, error) bool) {
						type res struct {
							path string
							img  *pyramid.Image
							err  error
						}
						in := slices.Values(order[done:])
						for r, err := range parallel.Map(ctx, in, *workers, func(i int) (res, error) {
							m, err := celeba.Load(files[i], *cx, *cy)
							return res{files[i], m, err}, nil
						}) {
							var it packItem
							switch {
							case err != nil:
							case r.err != nil && *keepGoing:
								it.skip = &pyramid.Skipped{Input: r.path, Error: r.err.Error()}
							case r.err != nil:
								err = &inputError{r.err}
							default:
								it.name, it.img = r.path, r.img
							}
							if !yield(it, err) || err != nil {
								return
							}
						}
					}
				}
				return runPack(ctx, e, j)
			}
		},
	})
}
