package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	imagefolder "github.com/progan/progan/folder"
	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "images",
		args: "DIR",
		summary: "pack a folder of images into a dataset: one TFRecord file per resolution,\n" +
			"full size down to 4×4, as the original's create_from_images writes them.\n" +
			"PNG, JPEG, GIF, BMP, TIFF and WebP are read in sorted name order. Without\n" +
			"--resolution every image must be square, a power of two and the size of the\n" +
			"first; with it, images are centre-cropped and resized. The output appears only\n" +
			"when complete; an interrupted run (Ctrl-C, kill, power loss) continues from its\n" +
			"last checkpoint with --resume, or starts over without it.\n" +
			"Unlike the original, the default order is the sorted input order: --shuffle\n" +
			"gives the original's RandomState(123) order.",
		example: "progan images -o datasets/faces ~/faces\n" +
			"progan images --shuffle --resolution 256 --keep-going -o datasets/cats ~/cats\n" +
			"progan images --labels classes.npy --compress gzip -o datasets/small ./small",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o packOpts
			fs.StringVar(&o.out, "o", "", "output dataset folder (required; must not exist or be empty)")
			fs.BoolVar(&o.shuffle, "shuffle", false, "store images in the original's shuffled order (numpy RandomState(seed).shuffle)")
			fs.Int64Var(&o.seed, "seed", 123, "seed of the --shuffle order")
			fs.IntVar(&o.res, "resolution", 0, fmt.Sprintf("centre-crop and resize every image to R×R (a power of two from 4 to %d)", pyramid.MaxResolution))
			fs.StringVar(&o.filter, "resize-filter", "lanczos", "resize filter: "+strings.Join(imagefolder.FilterNames(), ", "))
			fs.IntVar(&o.channels, "channels", 0, "1 or 3 to convert every image; default: the first image's")
			fs.StringVar(&o.labels, "labels", "", "labels .npy file, one row per input file in sorted order")
			fs.BoolVar(&o.recursive, "recursive", false, "also read images in subfolders")
			fs.BoolVar(&o.keepGoing, "keep-going", false, "skip unreadable or mismatched images and list them")
			fs.StringVar(&o.compress, "compress", "none", "compress tier files: none, gzip or zlib (TFRecord options; no random access)")
			fs.IntVar(&o.workers, "workers", 0, fmt.Sprintf("parallel decoders, at most %d (default: all cores)", maxWorkers))
			fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
			fs.BoolVar(&o.resume, "resume", false, "continue an interrupted run of the same command from its last checkpoint")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one input DIR"); err != nil {
					return err
				}
				if o.out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				o.dir = args[0]
				return packImages(ctx, e, o)
			}
		},
	})
}

type packOpts struct {
	dir, out, filter, labels, compress  string
	shuffle, recursive, keepGoing, json bool
	resume                              bool
	seed                                int64
	res, channels, workers              int
}

func packImages(ctx context.Context, e *env, o packOpts) error {
	if o.res != 0 {
		if err := checkResolution(o.res, pyramid.MaxResolution); err != nil {
			return err
		}
	}
	if o.channels != 0 && o.channels != 1 && o.channels != 3 {
		return fmt.Errorf("--channels %d: want 1 or 3: %w", o.channels, errUsage)
	}
	if err := checkWorkers(o.workers); err != nil {
		return err
	}
	if err := checkSeed(o.seed); err != nil {
		return err
	}
	comp, err := pyramid.ParseCompression(o.compress)
	if err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	src, err := imagefolder.Open(o.dir, imagefolder.Options{Recursive: o.recursive, Resolution: o.res, Filter: o.filter,
		Channels: o.channels, Labels: o.labels, Shuffle: o.shuffle, Seed: uint64(o.seed), Workers: o.workers})
	if err != nil {
		return err
	}
	return runPack(ctx, e, packJob{cmd: "images", out: o.out, src: src, json: o.json,
		opt:        pyramid.PackOptions{Compression: comp, KeepGoing: o.keepGoing, Resume: o.resume},
		strictHint: "fix or remove the file, or pass --keep-going to skip such files"})
}
