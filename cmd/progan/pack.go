package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/progan/progan/cmd/progan/internal/progress"
	"github.com/progan/progan/pyramid"
)

// packJob is one run of a packing command (images, lsun, cifar10, …): the
// packages provide the source and pyramid.Pack does the packing; runPack
// adds what the command shows: the resume messages, the progress bar, the
// errors' advice and the summary.
type packJob struct {
	cmd  string // command name, for messages
	out  string
	src  pyramid.Source
	opt  pyramid.PackOptions
	json bool
	// strictHint is appended when an input error stops the run.
	strictHint string
}

// Limits of the packing commands' numeric flags, checked before they
// size anything.
const (
	// maxWorkers bounds --workers: every worker holds an image or more in
	// flight, and no machine has the cores to use more.
	maxWorkers = 256
	// maxLSUNResolution bounds lsun --resolution: LSUN's images have a
	// shorter side of 256, so beyond 1024 is 4× upsampling for nothing, and
	// the Pillow resize of each image would need hundreds of MB.
	maxLSUNResolution = 1024
	// maxNumImages bounds mnistrgb --num-images: 2³⁰ records of 3×32×32
	// are 3.4 TB.
	maxNumImages = 1 << 30
)

// checkResolution checks a --resolution flag: a power of two from 4 to
// max (at most pyramid.MaxResolution, what the writer takes).
func checkResolution(r, max int) error {
	if r < 4 || r > max || r&(r-1) != 0 {
		return fmt.Errorf("--resolution %d: want a power of two from 4 to %d: %w", r, max, errUsage)
	}
	return nil
}

// checkWorkers checks a --workers flag; 0 means all cores.
func checkWorkers(n int) error {
	if n < 0 || n > maxWorkers {
		return fmt.Errorf("--workers %d: want 1 to %d, or 0 for all cores: %w", n, maxWorkers, errUsage)
	}
	return nil
}

// checkSeed checks a --seed flag: numpy's RandomState takes 32 bits.
func checkSeed(seed int64) error {
	if seed < 0 || seed > 1<<32-1 {
		return fmt.Errorf("--seed %d: want 0 ≤ seed < 2³²: %w", seed, errUsage)
	}
	return nil
}

func runPack(ctx context.Context, e *env, j packJob) error {
	var bar *progress.Bar
	opt := j.opt
	opt.Started = func(s pyramid.PackStart) {
		switch {
		case s.NoCheckpoint:
			fmt.Fprintf(e.stderr, "progan %s: no interrupted run of %s to resume: starting\n", j.cmd, j.out)
		case s.Resumed:
			of := ""
			if s.Inputs > 0 {
				of = fmt.Sprintf(" of %d", s.Inputs)
			}
			fmt.Fprintf(e.stderr, "progan %s: resuming %s after %d%s inputs\n", j.cmd, j.out, s.Done, of)
		}
		total := -1
		if s.Inputs > 0 {
			total = s.Inputs - s.Done
		}
		bar = e.bar("packing", total, "images")
	}
	opt.Progress = func(n int) { bar.Add(n) }
	res, err := pyramid.Pack(ctx, j.src, j.out, opt)
	if bar != nil {
		bar.Finish()
	}
	var se *pyramid.StopError
	if errors.As(err, &se) {
		err = se.Err
		switch {
		case errors.Is(err, context.Canceled) && se.Kept:
			return fmt.Errorf("interrupted after %d images: %s is not written yet; add --resume to the same command to continue, or run it without to start over: %w", se.Images, j.out, err)
		case errors.Is(err, context.Canceled):
			return fmt.Errorf("interrupted: nothing was written to %s; run the same command again to start over: %w", j.out, err)
		case se.Kept:
			// The work of earlier runs is kept, checkpointed up to the
			// input that failed.
			return fmt.Errorf("%w\n(the %d images before it are kept in %s: --resume goes on from there if the inputs and settings are unchanged; a run without --resume starts over)", err, se.Images, pyramid.PartialDir(j.out))
		}
		var ie *pyramid.InputError
		if errors.As(err, &ie) && j.strictHint != "" {
			return fmt.Errorf("%w\n(nothing was written; %s)", err, j.strictHint)
		}
		return err
	}
	if err != nil {
		return err
	}
	return printPackSummary(e, j.out, j.json, res.Inputs, res.Read, res.Skipped, bar.Elapsed().Seconds())
}

// printPackSummary reports the dataset; now is the number of inputs this
// run read (fewer than inputs after --resume).
func printPackSummary(e *env, out string, asJSON bool, inputs, now int, skipped []pyramid.Skipped, secs float64) error {
	d, err := pyramid.Open(out)
	if err != nil {
		return err
	}
	defer d.Close()
	s := packSummary{Dataset: out, Images: d.Images, Inputs: inputs, Resolution: d.Resolution,
		Channels: d.Channels, LabelSize: d.LabelSize, Seconds: secs, Skipped: skipped}
	if s.Skipped == nil {
		s.Skipped = []pyramid.Skipped{}
	}
	var total int64
	for _, t := range d.Tiers {
		s.Tiers = append(s.Tiers, map[string]any{"resolution": t.Resolution, "records": t.Records, "bytes": t.Bytes})
		total += t.Bytes
	}
	if asJSON {
		return e.printJSON(s)
	}
	w := e.stdout
	fmt.Fprintf(w, "Packed %d images (%d×%d×%d) into %s: %d tiers, %s, in %.1fs (%s images/s).\n",
		d.Images, d.Channels, d.Resolution, d.Resolution, out, len(d.Tiers), human(total), secs, rate(float64(now)/secs))
	if len(skipped) > 0 {
		fmt.Fprintf(w, "Skipped %d of %d inputs:\n", len(skipped), inputs)
		for _, sk := range skipped {
			fmt.Fprintf(w, "  %s\n", sk.Error)
		}
	}
	return nil
}

type packSummary struct {
	Dataset    string            `json:"dataset"`
	Images     int               `json:"images"`
	Inputs     int               `json:"inputs"`
	Resolution int               `json:"resolution"`
	Channels   int               `json:"channels"`
	LabelSize  int               `json:"label_size"`
	Seconds    float64           `json:"seconds"`
	Skipped    []pyramid.Skipped `json:"skipped"`
	Tiers      []map[string]any  `json:"tiers"`
}

// rate formats a rate with two significant figures below 10.
func rate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.2g", r)
	}
	return fmt.Sprintf("%.0f", r)
}
