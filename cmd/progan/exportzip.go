package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"

	"github.com/progan/progan/pyramid"
)

var pngLevels = map[string]png.CompressionLevel{
	"none": png.NoCompression, "fast": png.BestSpeed, "default": png.DefaultCompression, "best": png.BestCompression,
}

func init() {
	register(&command{
		name: "export-zip",
		args: "DATASET",
		summary: "write a tier as a zip for stylegan2-ada-pytorch / stylegan3: PNG files\n" +
			"00000/img00000000.png, … in record order and dataset.json with the labels as\n" +
			"[name, class] pairs (one-hot labels whose last class is used: stylegan makes the\n" +
			"label width max class + 1), [name, [floats]] (other labels) or null.\n" +
			"The zip appears only when complete.",
		example: "progan export-zip -o cifar10.zip datasets/cifar10\n" +
			"progan export-zip --tier 256 -o celebahq-256.zip datasets/celebahq",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("o", "", "output .zip file (required; must not exist)")
			tier := fs.Int("tier", 0, "resolution of the tier to export (default: full)")
			level := fs.String("png-compression", "fast", "PNG compression: none (as stylegan's tool), fast, default or best")
			workers := fs.Int("workers", 0, fmt.Sprintf("parallel PNG encoders, at most %d (default: all cores)", maxWorkers))
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one DATASET folder"); err != nil {
					return err
				}
				if *out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				if err := checkWorkers(*workers); err != nil {
					return err
				}
				lv, ok := pngLevels[*level]
				if !ok {
					return fmt.Errorf("--png-compression %q: want none, fast, default or best: %w", *level, errUsage)
				}
				d, err := pyramid.Open(args[0])
				if err != nil {
					return err
				}
				defer d.Close()
				res := *tier
				if res == 0 {
					res = d.Resolution
				}
				t, err := d.Tier(res)
				if err != nil {
					return err
				}
				bar := e.bar("exporting", t.Records, "images")
				err = pyramid.ExportZipFile(ctx, d, res, *out, pyramid.ZipOptions{Compression: lv, Workers: *workers, Progress: bar.Add})
				bar.Finish()
				if err != nil {
					return err
				}
				st, err := os.Stat(*out)
				if err != nil {
					return err
				}
				labels := "no labels"
				if d.LabelSize > 0 {
					labels = fmt.Sprintf("labels of %d", d.LabelSize)
				}
				fmt.Fprintf(e.stdout, "Exported %d images (%d×%d×%d, %s) to %s: %s in %.1fs.\n",
					t.Records, d.Channels, res, res, labels, *out, human(st.Size()), bar.Elapsed().Seconds())
				return nil
			}
		},
	})
}
