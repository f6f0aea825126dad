package trainer

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/trainer/safetensors"
)

// The tests of issue 13's items for the trainer: no bad input, fault or
// second process may crash a run, exhaust memory or corrupt a result.

// orderedDataset packs n size×size images drawn with seed, in reverse
// order if reverse: the same images as another call but reshuffled, or
// other images with another seed.
func orderedDataset(t *testing.T, n, size int, seed uint64, reverse bool) string {
	t.Helper()
	imgs := make([]*image.RGBA, n)
	rng := stream(seed, 0, 0)
	for i := range imgs {
		img := image.NewRGBA(image.Rect(0, 0, size, size))
		cx, cy, r := rng.Float64()*float64(size), rng.Float64()*float64(size), (0.15+0.25*rng.Float64())*float64(size)
		col := color.RGBA{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), 255}
		for y := range size {
			for x := range size {
				c := color.RGBA{byte(x * 255 / size), byte(y * 255 / size), 128, 255}
				if dx, dy := float64(x)-cx, float64(y)-cy; dx*dx+dy*dy < r*r {
					c = col
				}
				img.SetRGBA(x, y, c)
			}
		}
		imgs[i] = img
	}
	dir := filepath.Join(t.TempDir(), "ds")
	w, err := pyramid.Create(dir, pyramid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range imgs {
		if reverse {
			i = n - 1 - i
		}
		if err := w.Add(imgs[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// trainedRun trains the tiny network on ds for 0.064 kimg, to one
// checkpoint and the final copy.
func trainedRun(t *testing.T, ds string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(ds, dir)
	cfg.TotalKimg = 0.064
	if err := Train(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunLocked runs a second trainer, new or resumed, beside a running
// one on the same run folder: it must fail at once on the lock, which is
// free again once the first has finished.
func TestRunLocked(t *testing.T) {
	ds := testDataset(t, 24, 8, 0)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(ds, dir)
	cfg.TotalKimg = 0.128
	if err := runTiny(t, cfg, &roundLog{}, 32); !errors.Is(err, context.Canceled) {
		t.Fatalf("first part: %v", err)
	}
	running, err := start(Config{Out: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, second := range []Config{{Out: dir, Resume: true}, tinyConfig(ds, dir)} {
		err := Train(context.Background(), second)
		if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "in use by another progan") {
			t.Errorf("second trainer (resume %v): %v, want the lock's error", second.Resume, err)
		}
	}
	if err := running.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	running.close()
	if err := Train(context.Background(), Config{Out: dir, Resume: true, TotalKimg: 0.192}); err != nil {
		t.Fatalf("resume after the first finished: %v", err)
	}
	// Each tick once: no trainer ran beside another.
	b, _ := os.ReadFile(filepath.Join(dir, StatsFile))
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("stats.jsonl has %d lines, want 3:\n%s", n, b)
	}
}

// finiteCheckpoints fails the test if a checkpoint in dir holds a
// non-finite value, and returns the names of the checkpoints.
func finiteCheckpoints(t *testing.T, dir string) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	var names []string
	for _, p := range paths {
		f, err := safetensors.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, ten := range f.Tensors {
			for _, v := range ten.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s: tensor %s holds %g", filepath.Base(p), ten.Name, v)
				}
			}
		}
		names = append(names, filepath.Base(p))
	}
	return names
}

// TestDivergence trains with a huge learning rate from the fade on. With
// 10³⁰⁰ the weights become infinite and NaN; with 10⁹ they stay finite
// but so large that every loss is NaN and every update skipped. Either
// way the run must stop with an error that says so and names the last
// finite checkpoint, and write no non-finite one.
func TestDivergence(t *testing.T) {
	ds := testDataset(t, 24, 8, 0)
	for _, tc := range []struct {
		name     string
		lr       float64
		cancelAt int64 // interrupt after this nimg: the checkpoint then
		want     string
	}{
		{"weights", 1e300, 160, "diverged at kimg 0.2: non-finite weights or optimiser state"},
		{"losses", 1e9, -1, "diverged at kimg 0.2: non-finite losses in all 8 steps of tick 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cfg := tinyConfig(ds, dir)
			cfg.GLR, cfg.DLR = map[int]float64{8: tc.lr}, map[int]float64{8: tc.lr}
			err := runTiny(t, cfg, &roundLog{}, tc.cancelAt)
			last := filepath.Join(dir, SnapshotFile(0))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "the last finite checkpoint is "+last) {
				t.Fatalf("error %v, want %q naming %s", err, tc.want, last)
			}
			if names := finiteCheckpoints(t, dir); len(names) != 1 || names[0] != SnapshotFile(0) {
				t.Errorf("checkpoints %v, want %s alone", names, SnapshotFile(0))
			}
			logText, _ := os.ReadFile(filepath.Join(dir, LogFile))
			if !strings.Contains(string(logText), tc.want) {
				t.Errorf("log.txt does not record the divergence:\n%s", logText)
			}
			// The statistics were written, with null for non-finite losses.
			b, _ := os.ReadFile(filepath.Join(dir, StatsFile))
			if rows := strings.Split(strings.TrimSpace(string(b)), "\n"); tc.lr == 1e9 && !strings.Contains(rows[len(rows)-1], `"loss_d":null`) {
				t.Errorf("stats.jsonl:\n%s", b)
			}
		})
	}
}

// TestNonFiniteJSON writes a statistics line and a state with NaN and
// infinite losses: JSON has neither, and the writer must not fail.
func TestNonFiniteJSON(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), StatsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := &trainer{stats: f}
	if err := tr.writeStats(map[string]any{"loss_d": math.NaN(), "loss_g": math.Inf(1), "kimg": 0.5}); err != nil {
		t.Fatalf("writeStats: %v", err)
	}
	b, _ := os.ReadFile(f.Name())
	if string(b) != `{"kimg":0.5,"loss_d":null,"loss_g":null}`+"\n" {
		t.Errorf("stats line %s", b)
	}
	st := state{Nimg: 64, Acc: tickAcc{Steps: 2, DLoss: math.NaN(), GLoss: math.Inf(-1), Penalty: math.Inf(1), RealScore: 0.25}}
	b, err = json.Marshal(st)
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	var back state
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("state %s: %v", b, err)
	}
	if a := back.Acc; !math.IsNaN(a.DLoss) || !math.IsInf(a.GLoss, -1) || !math.IsInf(a.Penalty, 1) || a.RealScore != 0.25 || a.Steps != 2 {
		t.Errorf("state %s read back as %+v", b, back.Acc)
	}
}

// rewrite writes a copy of the checkpoint src to dst with edit applied.
func rewrite(t *testing.T, src, dst string, edit func(f *safetensors.File)) {
	t.Helper()
	f, err := safetensors.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	if err := safetensors.WriteFile(dst, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
}

// poison sets one value of the tensor name to v.
func poison(name string, v float32) func(f *safetensors.File) {
	return func(f *safetensors.File) {
		ten, _ := f.Tensor(name)
		ten.Data[len(ten.Data)/2] = v
	}
}

// TestNonFiniteCheckpoint checks that generate's Load and a resume refuse
// a checkpoint holding a non-finite value, naming the file and tensor.
func TestNonFiniteCheckpoint(t *testing.T) {
	dir := trainedRun(t, testDataset(t, 24, 8, 0))
	final := filepath.Join(t.TempDir(), "good.safetensors")
	rewrite(t, filepath.Join(dir, FinalFile), final, func(*safetensors.File) {})
	bad := filepath.Join(t.TempDir(), "bad.safetensors")
	rewrite(t, final, bad, poison("Gs/8x8/Conv1/weight", float32(math.NaN())))
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "Gs/8x8/Conv1/weight") || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("Load of a NaN checkpoint: %v", err)
	}
	for _, name := range []string{"G/4x4/Dense/weight", "D_opt/v/4x4/Dense1/bias"} {
		for _, f := range []string{FinalFile, SnapshotFile(0)} {
			rewrite(t, final, filepath.Join(dir, f), poison(name, float32(math.Inf(1))))
		}
		err := Train(context.Background(), Config{Out: dir, Resume: true, TotalKimg: 0.128})
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "non-finite") {
			t.Errorf("resume from a checkpoint with an infinite %s: %v", name, err)
		}
	}
}

// TestResumeOtherDataset resumes runs on datasets that are not the one
// trained on: each must be refused, naming what changed. A checkpoint
// from before the dataset was recorded resumes unchecked.
func TestResumeOtherDataset(t *testing.T) {
	orig := orderedDataset(t, 24, 8, 42, false)
	for _, tc := range []struct {
		name   string
		ds     string
		legacy bool // drop the dataset from the checkpoint
		want   string
	}{
		{"reshuffled", orderedDataset(t, 24, 8, 42, true), false, "tier 8×8 has other contents"},
		{"other images", orderedDataset(t, 24, 8, 7, false), false, "other contents"},
		{"more images", orderedDataset(t, 32, 8, 42, false), false, "images 24, now 32"},
		{"rebuilt at 16×16", orderedDataset(t, 24, 16, 42, false), false, "resolution 8, now 16"},
		{"legacy checkpoint", orderedDataset(t, 24, 8, 42, true), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := trainedRun(t, orig)
			if tc.legacy {
				for _, f := range []string{FinalFile, SnapshotFile(0)} {
					p := filepath.Join(dir, f)
					rewrite(t, p, p, func(f *safetensors.File) { delete(f.Metadata, "dataset") })
				}
			}
			err := Train(context.Background(), Config{Out: dir, Resume: true, Dataset: tc.ds, TotalKimg: 0.128})
			if tc.want == "" && err != nil {
				t.Fatalf("resume: %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not the one the run trained on")) {
				t.Fatalf("resume: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCheckpointMetadata loads checkpoints whose metadata claims what the
// file does not hold or no run could be: each must give an error naming
// the field, not a panic or an allocation of the claimed size.
func TestCheckpointMetadata(t *testing.T) {
	dir := trainedRun(t, testDataset(t, 24, 8, 0))
	final := filepath.Join(dir, FinalFile)
	good, err := safetensors.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(key string, change func(m map[string]any)) func(map[string]string) {
		return func(meta map[string]string) {
			var m map[string]any
			if err := json.Unmarshal([]byte(meta[key]), &m); err != nil {
				t.Fatal(err)
			}
			change(m)
			b, _ := json.Marshal(m)
			meta[key] = string(b)
		}
	}
	set := func(key, field string, v any) func(map[string]string) {
		return edit(key, func(m map[string]any) { m[field] = v })
	}
	for _, tc := range []struct {
		name string
		edit func(meta map[string]string)
		want string
	}{
		{"latent 2e9", set("arch", "latent_size", 2e9), "latent size 2000000000"},
		{"labels 1e9", set("arch", "label_size", 1e9), "label size 1000000000"},
		{"fmap base 2^30", set("arch", "fmap_base", 1<<30), "fmap base 1073741824"},
		{"fmap max 2^30", set("arch", "fmap_max", 1<<30), "fmap base 16 and max 1073741824"},
		{"mbstd group 0", set("arch", "mbstd_group", 0), "minibatch-stddev group 0"},
		{"resolution 2^40", set("arch", "resolution", 1<<40), "resolution 1099511627776"},
		{"channels 4", set("arch", "channels", 4), "4 image channels"},
		{"latent not in the file", set("arch", "latent_size", 16), "tensor Gs/4x4/Dense/weight has shape [8 128], the arch needs [16 128]"},
		{"resolution not in the file", func(m map[string]string) {
			set("arch", "resolution", 16)(m)
			set("config", "resolution", 16)(m)
		}, "no tensor Gs/16x16/Conv0_up/weight"},
		{"config resolution", set("config", "resolution", 16), `metadata "config": resolution 16, the arch's is 8`},
		{"lod 7", func(m map[string]string) { m["lod"] = "7" }, `metadata "lod": 7 outside [0, 1]`},
		{"lod -1", func(m map[string]string) { m["lod"] = "-1" }, `metadata "lod": -1 outside`},
		{"lod string", func(m map[string]string) { m["lod"] = `"7"` }, `metadata "lod"`},
		{"no arch", func(m map[string]string) { delete(m, "arch") }, `metadata has no "arch"`},
		{"nimg -5", set("state", "nimg", -5), "nimg -5 is negative"},
		{"prev lod 9", set("state", "prev_lod", 9), "prev_lod 9 outside"},
		{"data res 3", set("state", "data_res", 3), "data_res 3"},
		{"beta power 1", edit("state", func(m map[string]any) { m["g_adam"].(map[string]any)["beta2_power"] = 1 }), "g_adam"},
		{"swd negative", edit("state", func(m map[string]any) {
			m["swd"] = []any{map[string]any{"kimg": 1e308, "lod": 0, "avg": -1, "levels": []any{1}}}
		}), "swd point 0"},
		{"config mbstd 0", set("config", "mbstd_group", 0), `metadata "config": minibatch-stddev group 0`},
		{"config grid", set("config", "grid", []int{100000, 100000}), "grid 100000x100000"},
		{"config lr", set("config", "lr", -1), "learning rate -1"},
		{"config total", set("config", "total_kimg", 1e300), "total 1e+300"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := map[string]string{}
			for k, v := range good.Metadata {
				meta[k] = v
			}
			tc.edit(meta)
			path := filepath.Join(t.TempDir(), "network-snapshot-000000.safetensors")
			if err := safetensors.WriteFile(path, good.Tensors, meta); err != nil {
				t.Fatal(err)
			}
			// By file and by folder (the newest checkpoint).
			for _, src := range []string{path, filepath.Dir(path)} {
				m, err := Load(src)
				if err == nil {
					// Reaching the sampler would panic or allocate.
					for _, err := range m.Generate(context.Background(), 1, GenerateOptions{Class: -1}) {
						if err != nil {
							break
						}
					}
					t.Fatalf("Load(%s) accepted it", src)
				}
				if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
					t.Errorf("Load(%s): %v, want %q and the file", src, err, tc.want)
				}
			}
		})
	}
}

// TestNewRunChecksFirst starts runs that fail their checks: none may
// leave a run folder behind.
func TestNewRunChecksFirst(t *testing.T) {
	ds := testDataset(t, 24, 8, 0)
	ds16 := testDataset(t, 8, 16, 0)
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"resolution beyond the dataset", func(c *Config) { c.Resolution = 16 }, "resolution 16"},
		{"no dataset", func(c *Config) { c.Dataset = filepath.Join(t.TempDir(), "none") }, "no such file"},
		{"loss", func(c *Config) { c.Loss = "hinge" }, "loss"},
		{"mbstd group 0", func(c *Config) { c.MbstdGroup = 0 }, "minibatch-stddev group 0"},
		{"latent 1e9", func(c *Config) { c.LatentSize = 1e9 }, "latent size 1000000000"},
		{"too few images for SWD", func(c *Config) { c.Dataset, c.Resolution, c.SWDImages = ds16, 16, 1 }, "1 images are too few for SWD (at least"},
		{"device", func(c *Config) { c.Device = "tpu" }, `"tpu"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sub", "run")
			cfg := tinyConfig(ds, dir)
			tc.edit(&cfg)
			err := Train(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("run folder left behind: %v", err)
			}
		})
	}
}

// TestConfigLimits checks configurations that used to divide by zero,
// panic in makeslice, exhaust memory or overflow the image count.
func TestConfigLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"mbstd group 0", func(c *Config) { c.MbstdGroup = 0 }, "minibatch-stddev group 0"},
		{"fmap base 1e9", func(c *Config) { c.FmapBase = 1e9 }, "fmap base 1000000000"},
		{"fmap max 1e9", func(c *Config) { c.FmapMax = 1e9 }, "max 1000000000"},
		{"latent 1e9", func(c *Config) { c.LatentSize = 1e9 }, "latent size 1000000000"},
		{"grid 100000", func(c *Config) { c.Grid = [2]int{100000, 100000} }, "grid 100000x100000"},
		{"grid pixels", func(c *Config) { c.Grid = [2]int{64, 64} }, "pixels"},
		{"lr NaN", func(c *Config) { c.LR = math.NaN() }, "learning rate NaN"},
		{"lr inf", func(c *Config) { c.LR = math.Inf(1) }, "learning rate +Inf"},
		{"total NaN", func(c *Config) { c.TotalKimg = math.NaN() }, "total NaN"},
		{"total 1e300", func(c *Config) { c.TotalKimg = 1e300 }, "total 1e+300"},
		{"phase NaN", func(c *Config) { c.PhaseKimg = math.NaN() }, "phase NaN"},
		{"smoothing NaN", func(c *Config) { c.GSmoothing = math.NaN() }, "G smoothing NaN"},
		{"tick inf", func(c *Config) { c.TickKimgBase = math.Inf(1) }, "tick kimg +Inf"},
		{"lr table NaN", func(c *Config) { c.DLR = map[int]float64{8: math.NaN()} }, "D learning rate 8:NaN"},
		{"minibatch 1e9", func(c *Config) { c.Minibatch = map[int]int{4: 1 << 30} }, "minibatch 4:1073741824"},
		{"swd images", func(c *Config) { c.SWDImages = 1 << 30 }, "SWD images 1073741824"},
		{"repeats", func(c *Config) { c.MinibatchRepeats = 1 << 30 }, "minibatch repeats 1073741824"},
	} {
		c := DefaultConfig("", "")
		tc.edit(&c)
		if err := c.check(1024); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestGenerateOptions checks the options a model refuses: a class of an
// unconditional model, and truncations that are NaN or so small that
// sampling would not end.
func TestGenerateOptions(t *testing.T) {
	m, err := Load(trainedRun(t, testDataset(t, 24, 8, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opt  GenerateOptions
		want string
	}{
		{GenerateOptions{Class: 5}, "class 5"},
		{GenerateOptions{Class: -2}, "class -2"},
		{GenerateOptions{Class: -1, Truncation: math.NaN()}, "truncation NaN"},
		{GenerateOptions{Class: -1, Truncation: 1e-300}, "truncation 1e-300"},
		{GenerateOptions{Class: -1, Truncation: 0.5}, ""},
		{GenerateOptions{Class: 0}, ""},
	} {
		var got error
		for _, err := range m.Generate(context.Background(), 2, tc.opt) {
			if err != nil {
				got = err
				break
			}
		}
		if tc.want == "" && got != nil || tc.want != "" && (got == nil || !strings.Contains(got.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.opt, got, tc.want)
		}
	}
}
