package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"strconv"
	"strings"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/pyramid"
)

func init() {
	register(&command{
		name: "extract",
		args: "DATASET",
		summary: "write a tier's records as PNG files img%08d.png (gray or RGB) into a new or\n" +
			"empty folder, which appears only when complete.",
		example: "progan extract --tier 32 --range 0:64 -o /tmp/faces datasets/celebahq",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("o", "", "output folder (required; must not exist or be empty)")
			tier := fs.Int("tier", 0, "resolution of the tier to extract (default: full)")
			rng := fs.String("range", "", "records A:B to extract, B exclusive; either side may be empty")
			sheet := fs.String("sheet", "", "also draw the range's records in every tier into this PNG (at most 32 records; must not exist)")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one DATASET folder"); err != nil {
					return err
				}
				if *out == "" {
					return fmt.Errorf("-o is required: %w", errUsage)
				}
				from, to, err := parseRange(*rng)
				if err != nil {
					return err
				}
				if *sheet != "" {
					// Refused before the extraction, not after it.
					l, err := lockNew(*sheet)
					if err != nil {
						return err
					}
					defer l.Release()
				}
				if err := extract(ctx, e, args[0], *out, *tier, from, to); err != nil {
					return err
				}
				if *sheet == "" {
					return nil
				}
				if to < 0 {
					to = from + 32
				}
				return writeSheet(args[0], *sheet, from, min(to-from, 32))
			}
		},
	})
}

// parseRange parses "A:B", "A:", ":B" or "" (everything; to = -1).
func parseRange(s string) (from, to int, err error) {
	if s == "" {
		return 0, -1, nil
	}
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("--range %q: want A:B: %w", s, errUsage)
	}
	to = -1
	if a != "" {
		if from, err = strconv.Atoi(a); err != nil || from < 0 {
			return 0, 0, fmt.Errorf("--range %q: bad start: %w", s, errUsage)
		}
	}
	if b != "" {
		if to, err = strconv.Atoi(b); err != nil || to < from {
			return 0, 0, fmt.Errorf("--range %q: bad end: %w", s, errUsage)
		}
	}
	return from, to, nil
}

func extract(ctx context.Context, e *env, dir, out string, res, from, to int) error {
	d, err := pyramid.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if res == 0 {
		res = d.Resolution
	}
	t, err := d.Tier(res)
	if err != nil {
		return err
	}
	if to < 0 || to > t.Records {
		to = t.Records
	}
	if from > to {
		return fmt.Errorf("--range starts at %d, the tier has %d records", from, t.Records)
	}
	bar := e.bar("extracting", to-from, "images")
	err = pyramid.Extract(ctx, d, res, from, to, out, bar.Add)
	bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Extracted %d images (%d×%d) to %s in %s.\n", to-from, res, res, out, bar.Elapsed().Round(1e6))
	return nil
}

// writeSheet draws records [from, from+n) of every tier into a PNG.
func writeSheet(dir, path string, from, n int) error {
	d, err := pyramid.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	n = min(n, d.Images-from)
	img, err := pyramid.Sheet(d, from, n)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	// Locked and checked absent by lockNew; atomic, with the umask's mode.
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// lockNew locks path, which must not exist, against other progan
// processes.
func lockNew(path string) (*lockfile.Lock, error) {
	l, err := lockfile.Acquire(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		l.Release()
		return nil, fmt.Errorf("%s: %w", path, os.ErrExist)
	}
	return l, nil
}
