package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/internal/lockfile"
)

// The command-line side of issue 13 for train and generate.

// tinyRun packs a dataset of 16×16 images and trains a tiny network on it
// to a checkpoint, returning the dataset and the run folder.
func tinyRun(t *testing.T) (ds, run string) {
	t.Helper()
	ds = filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, folder(t, 8, 16)); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	run = filepath.Join(t.TempDir(), "run")
	if code, _, stderr := progan(t, tinyTrain(run, ds)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return ds, run
}

func tinyTrain(run, ds string, more ...string) []string {
	return append(append([]string{"train", "--quiet", "-o", run, "--fmap-base", "16", "--fmap-max", "8",
		"--phase-kimg", "0.016", "--total-kimg", "0.064", "--minibatch-base", "8", "--minibatch", "",
		"--tick-kimg", "0.032", "--network-ticks", "1", "--swd-images", "0", "--grid", "2x2"}, more...), ds)
}

// TestTrainFlagLimits gives train numeric flags beyond their limits:
// each is a usage error naming the flag, before the dataset is opened.
func TestTrainFlagLimits(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--mbstd-group", "0"}, "--mbstd-group 0"},
		{[]string{"--mbstd-group", "100000"}, "--mbstd-group 100000"},
		{[]string{"--fmap-base", "1000000000"}, "--fmap-base 1000000000"},
		{[]string{"--fmap-max", "1000000000"}, "--fmap-max 1000000000"},
		{[]string{"--latent", "1000000000"}, "--latent 1000000000"},
		{[]string{"--latent", "-1"}, "--latent -1"},
		{[]string{"--grid", "100000x100000"}, "--grid"},
		{[]string{"--lr", "NaN"}, "--lr NaN"},
		{[]string{"--lr", "-1"}, "--lr -1"},
		{[]string{"--lr", "Inf"}, "--lr +Inf"},
		{[]string{"--total-kimg", "NaN"}, "--total-kimg NaN"},
		{[]string{"--total-kimg", "1e300"}, "--total-kimg 1e+300"},
		{[]string{"--total-kimg", "0"}, "--total-kimg 0"},
		{[]string{"--phase-kimg", "-1"}, "--phase-kimg -1"},
		{[]string{"--fade-kimg", "-2"}, "--fade-kimg -2"},
		{[]string{"--tick-kimg", "0"}, "--tick-kimg 0"},
		{[]string{"--g-smoothing", "1"}, "--g-smoothing 1"},
		{[]string{"--g-smoothing", "NaN"}, "--g-smoothing NaN"},
		{[]string{"--resolution", "24"}, "--resolution 24"},
		{[]string{"--initial-resolution", "2"}, "--initial-resolution 2"},
		{[]string{"--minibatch-base", "0"}, "--minibatch-base 0"},
		{[]string{"--minibatch", "4:0"}, "--minibatch 4:0"},
		{[]string{"--max-minibatch", "4:1000000000"}, "--max-minibatch 4:1000000000"},
		{[]string{"--lr-dict", "4:NaN"}, "--lr-dict 4:NaN"},
		{[]string{"--repeats", "0"}, "--repeats 0"},
		{[]string{"--d-repeats", "1000000"}, "--d-repeats 1000000"},
		{[]string{"--image-ticks", "0"}, "--image-ticks 0"},
		{[]string{"--network-ticks", "-1"}, "--network-ticks -1"},
		{[]string{"--swd-images", "-1"}, "--swd-images -1"},
		{[]string{"--swd-images", "1000000000"}, "--swd-images 1000000000"},
		{[]string{"--resume", "--total-kimg", "NaN"}, "--total-kimg NaN"},
		{[]string{"--resume", "--grid", "0x0"}, "--grid"},
	} {
		args := append([]string{"train", "-o", run}, tc.flags...)
		if tc.flags[0] != "--resume" {
			args = append(args, filepath.Join(t.TempDir(), "no-dataset"))
		}
		code, _, stderr := progan(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q: %s", tc.flags, code, tc.want, stderr)
		}
	}
	if _, err := os.Stat(run); !os.IsNotExist(err) {
		t.Errorf("run folder made: %v", err)
	}
}

// TestTrainSetupFailure starts runs that fail after the flags are
// checked: no run folder may be left to delete by hand.
func TestTrainSetupFailure(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, folder(t, 8, 16)); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"resolution beyond the dataset", []string{"--resolution", "64"}, "resolution 64"},
		{"network too large", []string{"--fmap-base", "65536", "--fmap-max", "65536", "--latent", "512"}, "network too large"},
		{"minibatch and group", []string{"--mbstd-group", "3"}, "multiple of the minibatch-stddev group 3"},
	} {
		run := filepath.Join(t.TempDir(), "new", "run")
		code, _, stderr := progan(t, tinyTrain(run, ds, tc.flags...)...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want 1 with %q: %s", tc.name, code, tc.want, stderr)
		}
		if _, err := os.Stat(run); !os.IsNotExist(err) {
			t.Errorf("%s: run folder left: %v", tc.name, err)
		}
	}
}

// TestTrainResumeFlags resumes with flags a run cannot change: repeating
// the run's value is accepted, another value refused naming both.
func TestTrainResumeFlags(t *testing.T) {
	_, run := tinyRun(t)
	for _, tc := range []struct {
		flags []string
		code  int
		want  string
	}{
		{[]string{"--fmap-max", "8", "--fmap-base", "16", "--minibatch", "", "--resolution", "16", "--latent", "8", "--seed", "1000"}, 0, ""},
		{[]string{"--phase-kimg", "0.016", "--fade-kimg", "0.016", "--tick-kimg", "0.032", "--minibatch-base", "8"}, 0, ""},
		{[]string{"--fmap-max", "16"}, 2, "--fmap-max cannot change when resuming: the run has 8, not 16"},
		{[]string{"--lr", "0.1"}, 2, "--lr cannot change when resuming: the run has 0.001, not 0.1"},
		{[]string{"--minibatch", "4:8"}, 2, `--minibatch cannot change when resuming: the run has "", not 4:8`},
		{[]string{"--quick"}, 2, "--quick cannot be given when resuming"},
	} {
		args := append([]string{"train", "--quiet", "-o", run, "--resume", "--total-kimg", "0.064"}, tc.flags...)
		code, _, stderr := progan(t, args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q: %s", tc.flags, code, tc.code, tc.want, stderr)
		}
	}
}

// TestTrainGenerateLocked runs train and generate on outputs that
// another progan holds: both fail at once with the lock's message.
func TestTrainGenerateLocked(t *testing.T) {
	ds, run := tinyRun(t)
	fakes := filepath.Join(t.TempDir(), "fakes")
	for _, out := range []string{run, fakes} {
		l, err := lockfile.Acquire(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"train", "--quiet", "-o", run, "--resume", "--total-kimg", "0.096"},
			tinyTrain(run, ds),
			{"generate", "--quiet", "-o", fakes, "--num", "2", run},
		} {
			if args[3] != out {
				continue
			}
			code, _, stderr := progan(t, args...)
			if code != 1 || !strings.Contains(stderr, "in use by another progan") {
				t.Errorf("%v beside a holder of the lock: exit %d: %s", args, code, stderr)
			}
		}
		l.Release()
	}
	if code, _, stderr := progan(t, "train", "--quiet", "-o", run, "--resume", "--total-kimg", "0.096"); code != 0 {
		t.Errorf("resume once free: exit %d: %s", code, stderr)
	}
}

// TestGenerateChecks checks generate's flags and its output folder: no
// image of an earlier run may be overwritten.
func TestGenerateChecks(t *testing.T) {
	_, run := tinyRun(t)
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--num", "-1"}, "--num -1"},
		{[]string{"--num", "0"}, "--num 0"},
		{[]string{"--num", "2000000"}, "--num 2000000"},
		{[]string{"--truncation", "NaN"}, "--truncation NaN"},
		{[]string{"--truncation", "-1"}, "--truncation -1"},
		{[]string{"--truncation", "1e-300"}, "--truncation 1e-300"},
		{[]string{"--truncation", "Inf"}, "--truncation +Inf"},
		{[]string{"--class", "-2"}, "--class -2"},
		{[]string{"--class", "5"}, "--class 5: " + filepath.Join(run, "network-final.safetensors") + " is unconditional"},
		{[]string{"--class", "0"}, "unconditional"},
	} {
		out := filepath.Join(t.TempDir(), "fakes")
		args := append(append([]string{"generate", "--quiet", "-o", out}, tc.flags...), run)
		code, _, stderr := progan(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q: %s", tc.flags, code, tc.want, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: output folder made: %v", tc.flags, err)
		}
	}

	used := t.TempDir()
	old := filepath.Join(used, "000000.png")
	if err := os.WriteFile(old, []byte("an earlier image"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := progan(t, "generate", "--quiet", "-o", used, "--num", "2", run)
	if code != 1 || !strings.Contains(stderr, used+" is not empty") {
		t.Errorf("generate into a used folder: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(old); string(b) != "an earlier image" {
		t.Errorf("an earlier image was overwritten")
	}

	out := filepath.Join(t.TempDir(), "fakes")
	if code, _, stderr := progan(t, "generate", "--quiet", "-o", out, "--num", "3", run); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 || entries[2].Name() != "000002.png" {
		t.Errorf("output %v", entries)
	}
}

// TestSavePNG checks that a PNG that fails to encode (as one that meets
// a full disk) leaves neither a partial file nor the temporary one.
func TestSavePNG(t *testing.T) {
	dir := t.TempDir()
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := savePNG(&enc, filepath.Join(dir, "000000.png"), image.NewGray(image.Rect(0, 0, 0, 0))); err == nil || !strings.Contains(err.Error(), "000000.png") {
		t.Errorf("error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
	if err := savePNG(&enc, filepath.Join(dir, "000000.png"), image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "000000.png" {
		t.Errorf("wrote %v", entries)
	}
}
