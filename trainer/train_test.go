package trainer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/trainer/internal/nn"
	"github.com/progan/progan/trainer/safetensors"
)

// testDataset packs n synthetic size×size RGB images (a disc on a
// gradient) with one-hot labels of the given size (0 for none).
func testDataset(t testing.TB, n, size, labels int) string {
	t.Helper()
	return testDatasetWith(t, n, size, labels, pyramid.Options{})
}

func testDatasetWith(t testing.TB, n, size, labels int, opt pyramid.Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ds")
	w, err := pyramid.Create(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	rng := stream(42, 0, 0)
	for i := range n {
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
		var lab []float32
		if labels > 0 {
			lab = make([]float32, labels)
			lab[i%labels] = 1
		}
		if err := w.Add(img, lab); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tinyConfig trains an 8×8 network with 8 channels: rounds of 4×8 images,
// 96 images stable at 4×4, 96 fading, then 8×8.
func tinyConfig(dataset, out string) Config {
	c := DefaultConfig(dataset, out)
	c.Resolution, c.FmapBase, c.FmapMax = 8, 16, 8
	c.Mirror = true
	c.PhaseKimg, c.FadeKimg, c.TotalKimg = 0.096, 0.096, 0.256
	c.MinibatchBase, c.Minibatch = 8, nil
	c.TickKimgBase, c.TickKimg = 0.064, nil
	c.NetworkTicks = 1
	c.Grid = [2]int{4, 2}
	return c
}

type roundLog struct {
	nimg  []int64
	steps []stepStats
}

func (l *roundLog) hook(nimg int64, steps []stepStats) {
	for range steps {
		l.nimg = append(l.nimg, nimg)
	}
	l.steps = append(l.steps, steps...)
}

func runTiny(t *testing.T, cfg Config, log *roundLog, cancelAt int64) error {
	t.Helper()
	tr, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.onRound = func(nimg int64, steps []stepStats) {
		log.hook(nimg, steps)
		if nimg == cancelAt {
			cancel()
		}
	}
	return tr.run(ctx)
}

// TestResume trains straight through and in two parts, stopped once by
// the end of the first part's kimg and once by cancelling mid-tick, and
// requires identical losses at every step and identical final weights,
// moving averages and optimiser state. The split falls inside the fade,
// with a conditional network and mirroring, so that the data stream, the
// optimiser resets and every random stream are carried over.
func TestResume(t *testing.T) {
	ds := testDataset(t, 24, 8, 3)
	straightDir := filepath.Join(t.TempDir(), "straight")
	var straight roundLog
	if err := runTiny(t, tinyConfig(ds, straightDir), &straight, -1); err != nil {
		t.Fatal(err)
	}
	if len(straight.steps) != 256/8 {
		t.Fatalf("%d steps, want 32", len(straight.steps))
	}
	want, err := safetensors.ReadFile(filepath.Join(straightDir, FinalFile))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		firstEnd float64 // TotalKimg of the first part
		cancelAt int64   // nimg after which the first part is cancelled
	}{
		{"by total kimg", 0.128, -1},
		{"by cancelling mid-tick", 0.256, 160},
		// After the fade has ended the previous resolution's ToRGB and
		// FromRGB are outside both networks: a gradient left over from the
		// fade would move them in one run and not in the other.
		{"by cancelling after the fade", 0.256, 224},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cfg := tinyConfig(ds, dir)
			cfg.TotalKimg = tc.firstEnd
			var parts roundLog
			err := runTiny(t, cfg, &parts, tc.cancelAt)
			if tc.cancelAt > 0 && !errors.Is(err, context.Canceled) {
				t.Fatalf("first part: %v, want cancelled", err)
			} else if tc.cancelAt < 0 && err != nil {
				t.Fatal(err)
			}
			resume := Config{Out: dir, Resume: true, TotalKimg: 0.256}
			if err := runTiny(t, resume, &parts, -1); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(parts.nimg, straight.nimg) || !slices.Equal(parts.steps, straight.steps) {
				for i := range min(len(parts.steps), len(straight.steps)) {
					if parts.steps[i] != straight.steps[i] {
						t.Fatalf("step %d (nimg %d): %+v, straight %+v", i, straight.nimg[i], parts.steps[i], straight.steps[i])
					}
				}
				t.Fatalf("%d steps, straight %d", len(parts.steps), len(straight.steps))
			}
			got, err := safetensors.ReadFile(filepath.Join(dir, FinalFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Tensors) != len(want.Tensors) {
				t.Fatalf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
			}
			for i, g := range got.Tensors {
				if w := want.Tensors[i]; g.Name != w.Name || !slices.Equal(g.Data, w.Data) {
					t.Fatalf("tensor %s differs from the straight run's", g.Name)
				}
			}
			var st, wst state
			json.Unmarshal([]byte(got.Metadata["state"]), &st)
			json.Unmarshal([]byte(want.Metadata["state"]), &wst)
			st.Seconds, wst.Seconds = 0, 0
			if fmt.Sprint(st) != fmt.Sprint(wst) {
				t.Errorf("state %+v, straight %+v", st, wst)
			}
			// The statistics hold each tick once.
			b, _ := os.ReadFile(filepath.Join(dir, StatsFile))
			if n := strings.Count(string(b), "\n"); n != 4 {
				t.Errorf("stats.jsonl has %d lines, want 4:\n%s", n, b)
			}
		})
	}
}

// TestFrozenAfterFade checks that once a fade has ended the previous
// resolution's ToRGB and FromRGB, which no longer take part, stay exactly
// as they were, and that their Adam first moments are zero from the first
// step at the new lod on (β1 = 0, gradient exactly zero), as in the
// reference.
func TestFrozenAfterFade(t *testing.T) {
	ds := testDataset(t, 24, 8, 3)
	cfg := tinyConfig(ds, filepath.Join(t.TempDir(), "run"))
	cfg.TotalKimg = 0.384 // 6 rounds of 32 images after the fade
	tr, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	// The 4×4 layers: G's ToRGB_lod1 and D's FromRGB_lod1.
	type slot struct {
		name string
		p    *nn.Param[f32]
		m    []f32
	}
	var slots []slot
	for _, o := range []struct {
		n   *network
		opt *nn.Adam[f32]
	}{{&tr.g.network, nil}, {&tr.d.network, nil}} {
		for i, np := range o.n.params {
			if strings.HasPrefix(np.name, "ToRGB_lod1/") || strings.HasPrefix(np.name, "FromRGB_lod1/") {
				opt := tr.gOpt
				if o.n == &tr.d.network {
					opt = tr.dOpt
				}
				slots = append(slots, slot{np.name, np.p, opt.M[i]})
			}
		}
	}
	if len(slots) != 4 {
		t.Fatalf("found %d 4×4 ToRGB/FromRGB parameters, want 4", len(slots))
	}
	var atFadeEnd, atFirstStable [][]f32
	snap := func(m bool) [][]f32 {
		// On a GPU the host copies are current after a sync only.
		tr.g.sync()
		tr.d.sync()
		tr.gOpt.Sync()
		tr.dOpt.Sync()
		var r [][]f32
		for _, s := range slots {
			if m {
				r = append(r, slices.Clone(s.m))
			} else {
				r = append(r, slices.Clone(s.p.Value))
			}
		}
		return r
	}
	rounds := 0
	tr.onRound = func(nimg int64, _ []stepStats) {
		switch {
		case tr.st.PrevLOD > 0:
			atFadeEnd = snap(false) // overwritten until the last fading round
		case atFirstStable == nil:
			atFirstStable = snap(true)
			fallthrough
		default:
			rounds++
		}
	}
	if err := tr.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap(false)
	if rounds != 6 || atFadeEnd == nil {
		t.Fatalf("%d rounds after the fade, want 6", rounds)
	}
	for i, s := range slots {
		if !slices.Equal(s.p.Value, atFadeEnd[i]) {
			t.Errorf("%s moved after the fade ended", s.name)
		}
		if !slices.Equal(s.m, atFirstStable[i]) || slices.ContainsFunc(s.m, func(v f32) bool { return v != 0 }) {
			t.Errorf("%s: Adam first moment not zero after the fade", s.name)
		}
	}
}

// TestCompressedTiers trains through to the end on gzip tiers, whose
// reals come from a coroutine that must be stopped on the goroutine (and,
// with a GPU, the locked thread) that started it.
func TestCompressedTiers(t *testing.T) {
	ds := testDatasetWith(t, 24, 8, 0, pyramid.Options{Compression: pyramid.Gzip})
	cfg := tinyConfig(ds, filepath.Join(t.TempDir(), "run"))
	cfg.TotalKimg = 0.128
	if err := Train(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Out, DoneFile)); err != nil {
		t.Error(err)
	}
}

// TestRunFolder checks the files of a finished run and that a second run
// refuses the folder.
func TestRunFolder(t *testing.T) {
	ds := testDataset(t, 24, 16, 0)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(ds, dir)
	cfg.Resolution = 16
	cfg.PhaseKimg, cfg.FadeKimg, cfg.TotalKimg = 0.032, 0.032, 0.192
	cfg.SWDImages = 16
	var lines []string
	cfg.Log = func(s string) { lines = append(lines, s) }
	if err := Train(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ConfigFile, LogFile, StatsFile, RealsFile, SWDPlot, FinalFile, DoneFile,
		FakesFile(0), FakesFile(192 / 1000), SnapshotFile(0)} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	logText, _ := os.ReadFile(filepath.Join(dir, LogFile))
	if !strings.Contains(string(logText), "tick 1 ") || !strings.Contains(string(logText), "SWD×1e3 at kimg 0.0") ||
		len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], "done") {
		t.Errorf("log:\n%s", logText)
	}
	b, _ := os.ReadFile(filepath.Join(dir, StatsFile))
	var last map[string]any
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := json.Unmarshal([]byte(rows[len(rows)-1]), &last); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kimg", "lod", "minibatch", "sec_per_kimg", "loss_d", "loss_g", "swd"} {
		if _, ok := last[k]; !ok {
			t.Errorf("stats line has no %q: %v", k, last)
		}
	}
	if last["lod"] != 0.0 || last["resolution"] != 16.0 {
		t.Errorf("last tick at lod %v resolution %v, want 0 and 16", last["lod"], last["resolution"])
	}
	// No temporary files are left.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left over %s", e.Name())
		}
	}
	if err := Train(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second run in the same folder: %v", err)
	}

	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.LOD != 0 || m.Arch.Resolution != 16 || m.Kimg != 0.192 {
		t.Errorf("model %+v", m)
	}
	var imgs []*planar.Image
	for img, err := range m.Generate(context.Background(), 20, GenerateOptions{Seed: 1, Truncation: 1.5, Class: -1}) {
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	if len(imgs) != 20 || imgs[0].Size != 16 || imgs[0].Channels != 3 {
		t.Fatalf("generated %d images", len(imgs))
	}
	// Image i does not depend on how many are made.
	for img := range m.Generate(context.Background(), 1, GenerateOptions{Seed: 1, Truncation: 1.5}) {
		if !slices.Equal(img.Pix, imgs[0].Pix) {
			t.Error("first image differs when generating one")
		}
	}
}
