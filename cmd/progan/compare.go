package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "compare",
		args: "A B",
		summary: "compare two datasets record by record at full resolution, as the original's\n" +
			"compare does; exit status 0 only when images (and labels) are identical.",
		example: "progan compare datasets/celebahq ~/original/celebahq",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			ignore := fs.Bool("ignore-labels", false, "compare images only")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 2, "two DATASET folders"); err != nil {
					return err
				}
				return compare(e, args[0], args[1], *ignore, *asJSON)
			}
		},
	})
}

func compare(e *env, a, b string, ignoreLabels, asJSON bool) error {
	da, err := pyramid.Open(a)
	if err != nil {
		return err
	}
	defer da.Close()
	db, err := pyramid.Open(b)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := e.bar("comparing", min(da.Images, db.Images), "images")
	c, err := pyramid.Compare(da, db, ignoreLabels, bar.Add)
	bar.Finish()
	if err != nil {
		return err
	}
	if asJSON {
		err = e.printJSON(struct {
			*pyramid.Comparison
			ImagesA   int  `json:"images_a"`
			ImagesB   int  `json:"images_b"`
			Identical bool `json:"identical"`
		}{c, c.ImagesA, c.ImagesB, c.Identical()})
		if err != nil {
			return err
		}
	} else {
		w := e.stdout
		for _, i := range c.DifferentImages {
			fmt.Fprintf(w, "Image %d is different\n", i)
		}
		for _, i := range c.DifferentLabels {
			fmt.Fprintf(w, "Label %d is different\n", i)
		}
		if c.ImagesA != c.ImagesB {
			fmt.Fprintf(w, "Datasets contain different number of images (%d and %d)\n", c.ImagesA, c.ImagesB)
		}
		fmt.Fprintf(w, "Identical images: %d / %d\n", c.IdenticalImages, c.Compared)
		if !ignoreLabels {
			fmt.Fprintf(w, "Identical labels: %d / %d\n", c.IdenticalLabels, c.Compared)
		}
	}
	if !c.Identical() {
		return errFailed
	}
	return nil
}
