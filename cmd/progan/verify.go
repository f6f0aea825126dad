package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "verify",
		args: "DATASET",
		summary: "check a dataset: CRCs, record shapes, equal counts in every tier, labels,\n" +
			"and the manifest's sizes and SHA-256 checksums; --deep also checks that every\n" +
			"lower tier equals the exporter's 2×2 cascade of the full-resolution tier.\n" +
			"Exit status 0 only when everything holds.",
		example: "progan verify --deep datasets/cifar10",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			deep := fs.Bool("deep", false, "also recompute every lower tier from the top tier")
			asJSON := fs.Bool("json", false, "print the report as JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one DATASET folder"); err != nil {
					return err
				}
				return verify(e, args[0], *deep, *asJSON)
			}
		},
	})
}

func verify(e *env, dir string, deep, asJSON bool) error {
	d, err := pyramid.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	total := 0
	for _, t := range d.Tiers {
		total += t.Records
	}
	bar := e.bar("verifying", total, "records")
	rep := d.Verify(pyramid.VerifyOptions{Deep: deep, Progress: bar.Add})
	bar.Finish()
	if asJSON {
		if err := e.printJSON(rep); err != nil {
			return err
		}
	} else if rep.OK() {
		kind := "CRCs, shapes, counts"
		if deep {
			kind += ", cascade"
		}
		fmt.Fprintf(e.stdout, "OK: %s: %d images, %d records checked (%s) in %s\n", dir, rep.Images, rep.Records, kind, bar.Elapsed().Round(1e6))
	} else {
		fmt.Fprintf(e.stdout, "FAILED: %s: %d problem(s):\n", dir, len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	if !rep.OK() {
		return errFailed
	}
	return nil
}
