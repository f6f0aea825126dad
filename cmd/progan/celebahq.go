package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/progan/progan/celebahq"
	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "celebahq",
		args: "CELEBA_DIR [DELTAS_DIR]",
		summary: "build CelebA-HQ from raw CelebA as the original's create_celebahq does, bit for bit:\n" +
			"CELEBA_DIR holds img_celeba/*.jpg and Anno/list_landmarks_celeba.txt, DELTAS_DIR\n" +
			"image_list.txt and deltas00000.zip … deltas29000.zip. Every image is checked against\n" +
			"the original's proc_md5 and final_md5; a mismatch names the image, the stage and both\n" +
			"hashes. Output: 30 000 images of 3×1024×1024 in the original's shuffled order, tiers\n" +
			"down to 4×4. A subset (a partial image_list.txt, or --only) keeps the full set's order.\n" +
			"With --no-deltas the processed images are written without the deltas (checked by\n" +
			"proc_md5 when an image list is given; without one, every CelebA image with landmarks).",
		example: "progan celebahq -o datasets/celebahq ~/celeba ~/celebahq-deltas\n" +
			"progan celebahq --only 0-999 -o datasets/celebahq-1k ~/celeba ~/celebahq-deltas\n" +
			"progan celebahq --resume -o datasets/celebahq ~/celeba ~/celebahq-deltas",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("o", "", "output dataset folder (required; must not exist or be empty)")
			workers := fs.Int("workers", 0, fmt.Sprintf("images processed at once, at most %d (default: all cores; peak memory about 120 MB + 115 MB per worker on the fixture)", maxWorkers))
			resume := fs.Bool("resume", false, "continue an interrupted run of the same command")
			keepGoing := fs.Bool("keep-going", false, "skip images that fail (reported at the end) instead of stopping")
			noDeltas := fs.Bool("no-deltas", false, "write the processed images without applying the deltas")
			only := fs.String("only", "", "build only these idx, e.g. 17,1234,7000-7999")
			list := fs.String("image-list", "", "image_list.txt to use (default: DELTAS_DIR/image_list.txt)")
			res := fs.Int("resolution", celebahq.Size, "must be 1024: the md5 checks are for 1024×1024 images")
			compress := fs.String("compress", "none", "compress tier files: none, gzip or zlib")
			asJSON := fs.Bool("json", false, "print the summary as JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) < 1 || len(args) > 2 || len(args) == 1 && !*noDeltas {
					return fmt.Errorf("want CELEBA_DIR and DELTAS_DIR (DELTAS_DIR may be left out with --no-deltas): %w", errUsage)
				}
				if *out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				if err := checkWorkers(*workers); err != nil {
					return err
				}
				if *res != celebahq.Size {
					return fmt.Errorf("--resolution %d: CelebA-HQ is built at 1024×1024, the only size its md5 checks hold for; pack it, then use a lower tier (every tier down to 4×4 is written): %w", *res, errUsage)
				}
				comp, err := pyramid.ParseCompression(*compress)
				if err != nil {
					return fmt.Errorf("%v: %w", err, errUsage)
				}
				opt := celebahq.Options{CelebADir: args[0], ImageList: *list, NoDeltas: *noDeltas, Workers: *workers}
				if len(args) == 2 {
					opt.DeltasDir = args[1]
				}
				if *only != "" {
					if opt.Only, err = celebahq.ParseOnly(*only); err != nil {
						return fmt.Errorf("--only: %v: %w", err, errUsage)
					}
				}
				job, err := celebahq.NewJob(opt)
				if err != nil {
					return err
				}
				defer job.Close()
				for _, n := range job.Notes {
					fmt.Fprintf(e.stderr, "progan celebahq: %s\n", n)
				}
				switch ok, err := job.CheckDecoder(); {
				case err != nil && !*keepGoing:
					return fmt.Errorf("%w\n(the original stops here; --keep-going goes on, and the md5 checks will tell which images differ)", err)
				case err != nil:
					fmt.Fprintf(e.stderr, "progan celebahq: warning: %v\n", err)
				case !ok:
					fmt.Fprintf(e.stderr, "progan celebahq: img_celeba/000001.jpg is not there: the original's decoder check is skipped (every image is still checked by its md5s)\n")
				}
				j := packJob{cmd: "celebahq", out: *out, json: *asJSON,
					src:        celebahq.NewSource(job, strings.Join(args, " "), opt, *only),
					strictHint: "--keep-going skips such images and lists them at the end",
					opt:        pyramid.PackOptions{Compression: comp, KeepGoing: *keepGoing, Resume: *resume}}
				err = runPack(ctx, e, j)
				var ie *celebahq.ImageError
				if errors.As(err, &ie) && ie.Stage == "delta" {
					err = fmt.Errorf("%w\n(the delta is encrypted with a key made from the original JPEG file: a re-encoded or different %s cannot decrypt it)", err, ie.File)
				}
				return err
			}
		},
	})
}
