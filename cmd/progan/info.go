package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name:    "info",
		args:    "DATASET",
		summary: "show a dataset's tiers, record counts, sizes and labels\nWorks on datasets written by progan or by the original dataset_tool.py.",
		example: "progan info datasets/cifar10\nprogan info --json datasets/cifar10 | jq .tiers",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one DATASET folder"); err != nil {
					return err
				}
				return info(e, args[0], *asJSON)
			}
		},
	})
}

type tierInfo struct {
	Resolution  int    `json:"resolution"`
	Records     int    `json:"records"`
	Bytes       int64  `json:"bytes"`
	File        string `json:"file"`
	Compression string `json:"compression"`
}

type datasetInfo struct {
	Dir        string     `json:"dir"`
	Images     int        `json:"images"`
	Resolution int        `json:"resolution"`
	Channels   int        `json:"channels"`
	LabelSize  int        `json:"label_size"`
	LabelFile  string     `json:"label_file,omitempty"`
	Writer     string     `json:"writer"` // "progan x.y.z" or "original"
	Order      string     `json:"order,omitempty"`
	Seed       *uint64    `json:"seed,omitempty"`
	Skipped    int        `json:"skipped,omitempty"`
	TotalBytes int64      `json:"total_bytes"`
	Tiers      []tierInfo `json:"tiers"`
}

func info(e *env, dir string, asJSON bool) error {
	d, err := pyramid.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	in := datasetInfo{Dir: dir, Images: d.Images, Resolution: d.Resolution, Channels: d.Channels,
		LabelSize: d.LabelSize, Writer: "original (no manifest)"}
	if d.LabelFile != "" {
		in.LabelFile = filepath.Base(d.LabelFile)
	}
	if m := d.Manifest; m != nil {
		in.Writer, in.Order, in.Seed, in.Skipped = m.Tool, string(m.Order), m.Seed, len(m.Skipped)
	}
	for _, t := range d.Tiers {
		in.Tiers = append(in.Tiers, tierInfo{t.Resolution, t.Records, t.Bytes, filepath.Base(t.Path), t.Compression.String()})
		in.TotalBytes += t.Bytes
	}
	if asJSON {
		return e.printJSON(in)
	}
	w := e.stdout
	fmt.Fprintf(w, "dataset   %s\n", dir)
	fmt.Fprintf(w, "written   %s\n", in.Writer)
	fmt.Fprintf(w, "images    %d × %d×%d×%d", d.Images, d.Channels, d.Resolution, d.Resolution)
	if in.Order != "" {
		fmt.Fprintf(w, ", %s order", in.Order)
		if in.Seed != nil {
			fmt.Fprintf(w, " (seed %d)", *in.Seed)
		}
	}
	fmt.Fprintln(w)
	if d.LabelFile != "" {
		fmt.Fprintf(w, "labels    %d × %d float32 (%s)\n", d.Images, d.LabelSize, in.LabelFile)
	} else {
		fmt.Fprintln(w, "labels    none")
	}
	if in.Skipped > 0 {
		fmt.Fprintf(w, "skipped   %d inputs (listed in %s)\n", in.Skipped, pyramid.ManifestFile)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tier\trecords\tbytes\tsize\tcompression\t file\t")
	for _, t := range in.Tiers {
		fmt.Fprintf(tw, "%d²\t%d\t%d\t%s\t%s\t %s\t\n", t.Resolution, t.Records, t.Bytes, human(t.Bytes), t.Compression, t.File)
	}
	fmt.Fprintf(tw, "total\t\t%d\t%s\t\t\t\n", in.TotalBytes, human(in.TotalBytes))
	return tw.Flush()
}
