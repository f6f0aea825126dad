package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/progan/progan/lsun"
	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "lsun",
		args: "LMDB_DIR",
		summary: "pack one LSUN category (an LMDB folder such as bedroom_train_lmdb) as the\n" +
			"original's create_lsun: entries in key order, decoded as OpenCV decodes WebP,\n" +
			"centre-cropped and resized with Pillow 3.1.1's ANTIALIAS, byte-identical to the\n" +
			"original's records. An entry that does not decode is reported and skipped\n" +
			"(--strict stops instead). Only data.mdb is read; lock.mdb is not needed.",
		example: "progan lsun --resolution 256 --max-images 100000 -o datasets/lsun-car-100k ~/lsun/car_lmdb\n" +
			"progan lsun --resolution 128 -o datasets/lsun-bedroom-128 ~/lsun/bedroom_train_lmdb",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("o", "", "output dataset folder (required; must not exist or be empty)")
			res := fs.Int("resolution", 256, fmt.Sprintf("output resolution (a power of two from 4 to %d: LSUN images have a shorter side of 256)", maxLSUNResolution))
			maxImages := fs.Int("max-images", 0, "stop after this many records (default: all entries)")
			strict := fs.Bool("strict", false, "stop at the first entry that does not decode instead of skipping it")
			compress := fs.String("compress", "none", "compress tier files: none, gzip or zlib")
			workers := fs.Int("workers", 0, fmt.Sprintf("parallel decoders, at most %d (default: all cores)", maxWorkers))
			asJSON := fs.Bool("json", false, "print the summary as JSON")
			resume := fs.Bool("resume", false, "continue an interrupted run of the same command")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one LMDB_DIR"); err != nil {
					return err
				}
				if *out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				if err := checkResolution(*res, maxLSUNResolution); err != nil {
					return err
				}
				if err := checkWorkers(*workers); err != nil {
					return err
				}
				if *maxImages < 0 {
					return fmt.Errorf("--max-images %d: want ≥ 0: %w", *maxImages, errUsage)
				}
				comp, err := pyramid.ParseCompression(*compress)
				if err != nil {
					return fmt.Errorf("%v: %w", err, errUsage)
				}
				src, err := lsun.OpenSource(args[0], lsun.Options{Resolution: *res, MaxImages: *maxImages, Workers: *workers})
				if err != nil {
					return err
				}
				defer src.Close()
				j := packJob{cmd: "lsun", out: *out, src: src, json: *asJSON,
					strictHint: "run without --strict to skip such entries",
					opt:        pyramid.PackOptions{Compression: comp, KeepGoing: !*strict, Resume: *resume}}
				return runPack(ctx, e, j)
			}
		},
	})
}
