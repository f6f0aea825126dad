package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	imagefolder "github.com/progan/progan/folder"
	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/pyramid"
)

// A second writer of an output another progan holds fails at once with
// the lock's message and touches neither the output nor its partial
// folder.
func TestWritersRefuseALockedOutput(t *testing.T) {
	in := folder(t, 3, 8)
	ds := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, in); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		name string
		args func(out string) []string
	}{
		{"images", func(out string) []string { return []string{"images", "--quiet", "-o", out, in} }},
		{"images --resume", func(out string) []string { return []string{"images", "--quiet", "--resume", "-o", out, in} }},
		{"export-zip", func(out string) []string { return []string{"export-zip", "--quiet", "-o", out, ds} }},
		{"extract", func(out string) []string { return []string{"extract", "--quiet", "-o", out, ds} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			// The other process's work in progress.
			mine := filepath.Join(pyramid.PartialDir(out), "work")
			os.MkdirAll(filepath.Dir(mine), 0o755)
			os.WriteFile(mine, []byte("mine"), 0o644)
			l, err := lockfile.Acquire(out)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Release()
			code, _, stderr := progan(t, tc.args(out)...)
			if code != 1 || !strings.Contains(stderr, "in use by another progan") || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if b, err := os.ReadFile(mine); err != nil || string(b) != "mine" {
				t.Fatalf("the other process's partial work: %q %v", b, err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("output made: %v", err)
			}
		})
	}
}

// Numeric flags of the packing commands are checked against limits
// before anything is read or sized by them (exit 2, naming the flag).
func TestPackFlagLimits(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"images", "--resolution", "65536", empty}, "--resolution 65536"},
		{[]string{"images", "--resolution", "8192", empty}, "--resolution 8192"},
		{[]string{"images", "--resolution", "-4", empty}, "--resolution -4"},
		{[]string{"images", "--workers", "1000000", empty}, "--workers 1000000"},
		{[]string{"images", "--workers", "-1", empty}, "--workers -1"},
		{[]string{"images", "--shuffle", "--seed", "-1", empty}, "--seed -1"},
		{[]string{"lsun", "--resolution", "8192", missing}, "--resolution 8192"},
		{[]string{"lsun", "--resolution", "2048", missing}, "--resolution 2048"},
		{[]string{"lsun", "--workers", "1000000", missing}, "--workers 1000000"},
		{[]string{"celebahq", "--no-deltas", "--workers", "1000000", missing}, "--workers 1000000"},
		{[]string{"celeba", "--workers", "1000000", missing}, "--workers 1000000"},
		{[]string{"mnistrgb", "--num-images", "100000000000", missing}, "--num-images 100000000000"},
		{[]string{"export-zip", "--workers", "1000000", missing}, "--workers 1000000"},
		{[]string{"export-zip", "--workers", "-2", missing}, "--workers -2"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{tc.args[0], "--quiet", "-o", out}, tc.args[1:]...)
			code, _, stderr := progan(t, args...)
			if code != 2 || !strings.Contains(stderr, tc.flag) {
				t.Fatalf("exit %d, want 2 naming %s: %s", code, tc.flag, stderr)
			}
		})
	}
	// The limits themselves are accepted.
	in := folder(t, 2, 8)
	out := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "--workers", "256", "-o", out, in); code != 0 {
		t.Fatalf("--workers 256: exit %d: %s", code, stderr)
	}
}

// writeLabels writes a float32 .npy of these rows.
func writeLabels(t *testing.T, path string, rows [][]float32) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	npy.WriteHeader(f, len(rows), len(rows[0]))
	for _, r := range rows {
		for _, v := range r {
			binary.Write(f, binary.LittleEndian, v)
		}
	}
}

// NaN and ±Inf labels are refused when packing, naming the row.
func TestImagesRefusesNonFiniteLabels(t *testing.T) {
	in := folder(t, 3, 8)
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		labels := filepath.Join(t.TempDir(), "labels.npy")
		writeLabels(t, labels, [][]float32{{0, 1}, {1, 0}, {0, v}})
		out := filepath.Join(t.TempDir(), "ds")
		code, _, stderr := progan(t, "images", "--quiet", "--labels", labels, "-o", out, in)
		if code != 1 || !strings.Contains(stderr, labels) || !strings.Contains(stderr, "row 2") {
			t.Fatalf("label %v: exit %d: %s", v, code, stderr)
		}
	}
}

// startImages writes the first n inputs of `images -o out in` (sorted
// order) as an interrupted run would, and stops.
func startImages(t *testing.T, in, out string, n int) {
	t.Helper()
	o := packOpts{dir: in, out: out, seed: 123, filter: "lanczos", compress: "none"}
	paths, _ := imagefile.List(in, false)
	fp, err := fingerprint(o, paths)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pyramid.Create(out, pyramid.Options{Fingerprint: fp})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		img, err := imagefile.Load(paths[i%len(paths)], imagefile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w.Add(img, nil)
	}
	if kept, err := w.Stop(); !kept || err != nil {
		t.Fatal(err)
	}
}

// --resume checks the partial dataset: damage is refused, with how to
// start over, and nothing is published; a checkpoint claiming more inputs
// than the run has does not crash it.
func TestImagesResumeRefusesDamage(t *testing.T) {
	in := folder(t, 6, 8)
	for _, tc := range []struct {
		name   string
		n      int // images written before the stop
		damage func(tmp string)
		want   string
	}{
		{"truncated tier", 3, func(tmp string) {
			p := filepath.Join(tmp, "ds-r03.tfrecords")
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()-5)
		}, "ds-r03.tfrecords"},
		{"flipped byte", 3, func(tmp string) {
			p := filepath.Join(tmp, "ds-r02.tfrecords")
			b, _ := os.ReadFile(p)
			b[40] ^= 1
			os.WriteFile(p, b, 0o644)
		}, "ds-r02.tfrecords"},
		{"inputs 1e9", 3, func(tmp string) {
			p := filepath.Join(tmp, "progan-checkpoint.json")
			b, _ := os.ReadFile(p)
			var cp map[string]any
			json.Unmarshal(b, &cp)
			cp["inputs"] = 1e9
			b, _ = json.Marshal(cp)
			os.WriteFile(p, b, 0o644)
		}, "inputs"},
		{"more images than inputs", 9, func(string) {}, "9 inputs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "ds")
			startImages(t, in, out, tc.n)
			tc.damage(pyramid.PartialDir(out))
			code, _, stderr := progan(t, "images", "--quiet", "--resume", "-o", out, in)
			if code != 1 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "without resuming") {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a damaged partial dataset was published")
			}
			// Without --resume the run starts over.
			if code, _, stderr := progan(t, "images", "--quiet", "-o", out, in); code != 0 {
				t.Fatalf("start over: exit %d: %s", code, stderr)
			}
			if code, stdout, _ := progan(t, "verify", "--quiet", "--deep", out); code != 0 {
				t.Fatalf("verify: %s", stdout)
			}
		})
	}
}

// A bad input met after --resume keeps the partial dataset, checkpointed
// up to that input, instead of deleting the earlier work.
func TestImagesResumeKeepsWorkAtABadInput(t *testing.T) {
	in := folder(t, 6, 8)
	os.WriteFile(filepath.Join(in, "z.png"), []byte("not a png"), 0o644)
	out := filepath.Join(t.TempDir(), "ds")
	startImages(t, in, out, 2)
	code, _, stderr := progan(t, "images", "--quiet", "--resume", "-o", out, in)
	if code != 1 || !strings.Contains(stderr, "z.png") || !strings.Contains(stderr, "kept") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The next --resume continues after the 6 good inputs.
	code, _, stderr = progan(t, "images", "--quiet", "--resume", "-o", out, in)
	if code != 1 || !strings.Contains(stderr, "after 6 of 7 inputs") || !strings.Contains(stderr, "z.png") {
		t.Fatalf("second resume: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("published without the last input")
	}
}

// extract refuses a non-empty folder and leaves its files alone; --sheet
// does not overwrite a file either.
func TestExtractRefusesNonEmptyFolder(t *testing.T) {
	in := folder(t, 3, 8)
	ds := filepath.Join(t.TempDir(), "ds")
	progan(t, "images", "--quiet", "-o", ds, in)
	out := t.TempDir()
	mine := filepath.Join(out, "img00000000.png")
	os.WriteFile(mine, []byte("mine"), 0o644)
	code, _, stderr := progan(t, "extract", "--quiet", "-o", out, ds)
	if code != 1 || !strings.Contains(stderr, "not empty") || !strings.Contains(stderr, out) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Fatal("an existing file was overwritten")
	}
	sheet := filepath.Join(t.TempDir(), "sheet.png")
	os.WriteFile(sheet, []byte("mine"), 0o644)
	out = filepath.Join(t.TempDir(), "new")
	code, _, stderr = progan(t, "extract", "--quiet", "--sheet", sheet, "-o", out, ds)
	if code != 1 || !strings.Contains(stderr, sheet) {
		t.Fatalf("--sheet over a file: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(sheet); string(b) != "mine" {
		t.Fatal("an existing sheet was overwritten")
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("extracted although --sheet was refused")
	}
	sheet = filepath.Join(filepath.Dir(sheet), "new.png")
	if code, _, stderr := progan(t, "extract", "--quiet", "--sheet", sheet, "-o", out, ds); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(sheet)); len(entries) != 2 {
		t.Fatalf("beside the sheet: %v", entries)
	}
}

// fingerprint is the fingerprint `images` gives the run of o: the folder
// source's, with o's packing options.
func fingerprint(o packOpts, _ []string) (string, error) {
	src, err := imagefolder.Open(o.dir, imagefolder.Options{Recursive: o.recursive, Resolution: o.res, Filter: o.filter,
		Channels: o.channels, Labels: o.labels, Shuffle: o.shuffle, Seed: uint64(o.seed), Workers: o.workers})
	if err != nil {
		return "", err
	}
	comp, err := pyramid.ParseCompression(o.compress)
	if err != nil {
		return "", err
	}
	return src.Fingerprint(pyramid.PackOptions{Compression: comp, KeepGoing: o.keepGoing})
}
