package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/trainer"
)

// TestTrainGenerate packs a small dataset, trains a tiny network on it,
// resumes the run for more kimg, generates images from it and scores them
// with swd, all through the command line.
func TestTrainGenerate(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, folder(t, 16, 16)); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	run := filepath.Join(t.TempDir(), "run")
	tiny := []string{"train", "--quiet", "-o", run, "--fmap-base", "16", "--fmap-max", "8",
		"--phase-kimg", "0.016", "--total-kimg", "0.096", "--minibatch-base", "8", "--minibatch", "",
		"--tick-kimg", "0.032", "--network-ticks", "1", "--swd-images", "8", "--grid", "2x2", ds}
	if code, _, stderr := progan(t, tiny...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"config.json", "log.txt", "stats.jsonl", "reals.png", "fakes000000.png", "swd.png",
		"network-final.safetensors", "_training-done.txt"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Error(err)
		}
	}
	var cfg map[string]any
	b, _ := os.ReadFile(filepath.Join(run, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || cfg["fade_kimg"] != 0.016 || cfg["minibatch_base"] != 8.0 {
		t.Errorf("config.json: %v %s", err, b)
	}

	// Only a few settings may change on resume.
	if code, _, stderr := progan(t, "train", "-o", run, "--resume", "--lr", "0.1"); code != 2 || !strings.Contains(stderr, "--lr cannot change") {
		t.Errorf("resume with --lr: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := progan(t, "train", "-o", run, "--resume", "--total-kimg", "0.128")
	if code != 0 || !strings.Contains(stdout, "resumed at kimg 0.1") || !strings.Contains(stdout, "done: 0.1 kimg") {
		t.Fatalf("resume: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := progan(t, tiny...); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("train into a used folder: exit %d: %s", code, stderr)
	}

	fakes := filepath.Join(t.TempDir(), "fakes")
	code, stdout, stderr = progan(t, "generate", "--quiet", "-o", fakes, "--num", "8", "--truncation", "2", run)
	if code != 0 || !strings.Contains(stdout, "Wrote 8 images of 16×16") {
		t.Fatalf("generate: exit %d: %s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(fakes, "000007.png")); err != nil {
		t.Error(err)
	}
	if code, stdout, stderr := progan(t, "swd", "--quiet", "--num", "8", "--json", ds, fakes); code != 0 || !strings.Contains(stdout, `"avg"`) {
		t.Errorf("swd of the generated images: exit %d: %s%s", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"generate", run},
		{"generate", "-o", fakes, "--num", "0", run},
		{"train", ds},
		{"train", "-o", run, "--grid", "3", ds},
	} {
		if code, _, _ := progan(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestTrainQuickFlags checks that --quick starts from the demonstration
// settings, that flags given beside it still apply, and the defaults.
func TestTrainQuickFlags(t *testing.T) {
	for _, tc := range []struct {
		args            []string
		total, lr, fade float64
		fmapMax         int
	}{
		{[]string{"--quick"}, 18, 0.003, 4, 32},
		{[]string{"--quick", "--total-kimg", "20", "--fmap-max", "64", "--phase-kimg", "3"}, 20, 0.003, 3, 64},
		{[]string{"--fade-kimg", "100"}, 12000, 0.001, 100, 512},
		{nil, 12000, 0.001, 600, 512},
	} {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		o := bindTrainFlags(fs)
		if err := fs.Parse(append(tc.args, "-o", "x")); err != nil {
			t.Fatal(err)
		}
		o.visit(fs)
		cfg, err := o.config("ds")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.TotalKimg != tc.total || cfg.LR != tc.lr || cfg.FadeKimg != tc.fade || cfg.FmapMax != tc.fmapMax || cfg.Dataset != "ds" || cfg.Out != "x" {
			t.Errorf("%v: total %g lr %g fade %g fmap-max %d; want %g %g %g %d",
				tc.args, cfg.TotalKimg, cfg.LR, cfg.FadeKimg, cfg.FmapMax, tc.total, tc.lr, tc.fade, tc.fmapMax)
		}
	}
}

// TestTrainDevice checks --device: cpu is honoured in every build (and
// the run resumes on the default device, the GPU in a cuda or cudaemu
// build), cuda in a build without the backend says how to build one, and
// an unknown device is refused.
func TestTrainDevice(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, folder(t, 8, 8)); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	tiny := func(run string, more ...string) []string {
		return append(append([]string{"train", "--quiet", "-o", run, "--fmap-base", "16", "--fmap-max", "8",
			"--phase-kimg", "0.016", "--total-kimg", "0.064", "--minibatch-base", "8", "--minibatch", "",
			"--tick-kimg", "0.032", "--network-ticks", "1", "--swd-images", "0", "--grid", "2x2"}, more...), ds)
	}
	run := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := progan(t, tiny(run, "--device", "cpu")...); code != 0 {
		t.Fatalf("train --device cpu: exit %d: %s", code, stderr)
	}
	if code, _, stderr := progan(t, "train", "--quiet", "-o", run, "--resume", "--total-kimg", "0.096"); code != 0 {
		t.Fatalf("resume on the default device: exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(run, "log.txt"))
	log := string(b)
	if !strings.Contains(log, "device cpu") || !strings.Contains(log, "device "+trainer.DefaultDevice()) || !strings.Contains(log, "img/s") {
		t.Errorf("log.txt:\n%s", log)
	}
	if code, _, stderr := progan(t, tiny(filepath.Join(t.TempDir(), "tpu"), "--device", "tpu")...); code == 0 || !strings.Contains(stderr, `"tpu"`) {
		t.Errorf("--device tpu: exit %d: %s", code, stderr)
	}
	if trainer.DefaultDevice() == trainer.DeviceCPU {
		code, _, stderr := progan(t, tiny(filepath.Join(t.TempDir(), "cuda"), "--device", "cuda")...)
		if code == 0 || !strings.Contains(stderr, "-tags cuda") {
			t.Errorf("--device cuda without the backend: exit %d: %s", code, stderr)
		}
	}
}
