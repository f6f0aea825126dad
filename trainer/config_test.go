package trainer

import (
	"math"
	"strings"
	"testing"
)

// TestScheduleTimeline checks the schedule of the reference's default
// configuration at R = 1024 against the timeline of docs/trainer.md#schedule.
func TestScheduleTimeline(t *testing.T) {
	cfg := DefaultConfig("", "")
	for _, tc := range []struct {
		kimg      float64
		lod       float64
		res, mb   int
		lr        float64
		tick      float64
		tolerance float64
	}{
		{0, 8, 4, 128, 0.001, 160, 0},
		{599.9, 8, 4, 128, 0.001, 160, 0},
		{600, 8, 4, 128, 0.001, 160, 0},
		{900, 7.5, 8, 128, 0.001, 140, 1e-12},
		{1200, 7, 8, 128, 0.001, 140, 0},
		{1800, 7, 8, 128, 0.001, 140, 0},
		{2100, 6.5, 16, 128, 0.001, 120, 1e-12},
		{2400, 6, 16, 128, 0.001, 120, 0},
		{3300, 5.5, 32, 64, 0.001, 100, 1e-12},
		{3600, 5, 32, 64, 0.001, 100, 0},
		{4500, 4.5, 64, 32, 0.001, 80, 1e-12},
		{5000, 4, 64, 32, 0.001, 80, 0},
		{5700, 3.5, 128, 16, 0.001, 60, 1e-12},
		{6300, 3, 128, 16, 0.001, 60, 0},
		{6900, 2.5, 256, 8, 0.001, 40, 1e-12},
		{7500, 2, 256, 8, 0.001, 40, 0},
		{8100, 1.5, 512, 4, 0.001, 20, 1e-12},
		{8700, 1, 512, 4, 0.001, 20, 0},
		{9300, 0.5, 1024, 4, 0.0015, 10, 1e-12},
		{9600, 0, 1024, 4, 0.0015, 10, 0},
		{12000, 0, 1024, 4, 0.0015, 10, 0},
	} {
		s := cfg.stageAt(int64(math.Round(tc.kimg*1000)), 1024)
		if math.Abs(s.LOD-tc.lod) > tc.tolerance || s.Resolution != tc.res || s.Minibatch != tc.mb ||
			s.GLR != tc.lr || s.DLR != tc.lr || s.TickKimg != tc.tick {
			t.Errorf("kimg %g: lod %g res %d minibatch %d lr %g/%g tick %g; want %g %d %d %g %g",
				tc.kimg, s.LOD, s.Resolution, s.Minibatch, s.GLR, s.DLR, s.TickKimg, tc.lod, tc.res, tc.mb, tc.lr, tc.tick)
		}
	}
	// Just past the start of a fade the larger resolution takes over.
	if s := cfg.stageAt(600001, 1024); s.Resolution != 8 || s.LOD >= 8 || s.LOD < 7.99 {
		t.Errorf("just past 600 kimg: lod %g res %d, want just under 8 at 8", s.LOD, s.Resolution)
	}
	// The fp32 caps apply: 256×256 at minibatch 16 would need more memory.
	c := cfg
	c.Minibatch = map[int]int{256: 64}
	if s := c.stageAt(7500000, 1024); s.Minibatch != 16 {
		t.Errorf("capped minibatch at 256: %d, want 16", s.Minibatch)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"quick", func(c *Config) { *c = QuickConfig("", "") }, ""},
		{"loss", func(c *Config) { c.Loss = "hinge" }, "loss"},
		{"mbstd divides minibatch", func(c *Config) { c.Minibatch[32] = 6 }, "minibatch 6 at 32×32"},
		{"initial resolution", func(c *Config) { c.InitialResolution = 6 }, "initial resolution"},
		{"total", func(c *Config) { c.TotalKimg = 0 }, "kimg"},
		{"smoothing", func(c *Config) { c.GSmoothing = 1 }, "smoothing"},
		{"lr table", func(c *Config) { c.GLR = map[int]float64{100: 0.1} }, "power-of-two"},
	} {
		c := DefaultConfig("", "")
		tc.edit(&c)
		err := c.check(1024)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
