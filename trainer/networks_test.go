package trainer

import (
	"fmt"
	"math"
	"testing"

	"github.com/progan/progan/trainer/internal/nn"
)

func refArch(res int) Arch {
	return Arch{Resolution: res, Channels: 3, LatentSize: 512, FmapBase: 8192, FmapMax: 512, MbstdGroup: 4}
}

// TestParameterCounts checks G and D against the counts of the reference's
// G_paper and D_paper (docs/trainer.md#channels: exact at R = 1024, to the
// 0.01M given at 256 and 32).
func TestParameterCounts(t *testing.T) {
	for _, tc := range []struct {
		res    int
		g, d   int
		approx bool
	}{
		{1024, 23079115, 23087249, false},
		{256, 23.04e6, 23.05e6, true},
		{32, 20.72e6, 20.73e6, true},
	} {
		g, d := newGenerator(refArch(tc.res), nil), newDiscriminator(refArch(tc.res), nil)
		gc, dc := g.count(), d.count()
		if tc.approx {
			gc, dc = int(math.Round(float64(gc)/1e4))*1e4, int(math.Round(float64(dc)/1e4))*1e4
		}
		if gc != tc.g || dc != tc.d {
			t.Errorf("R=%d: G %d, D %d parameters; want %d, %d", tc.res, g.count(), d.count(), tc.g, tc.d)
		}
	}
}

// TestParameterNames checks a few of the reference's variable names and
// shapes (HWIO convolutions, [in, out] dense layers).
func TestParameterNames(t *testing.T) {
	a := refArch(1024)
	a.LabelSize = 10
	shapes := map[string][]int{}
	for _, n := range []*network{&newGenerator(a, nil).network, &newDiscriminator(a, nil).network} {
		for _, p := range n.params {
			if _, dup := shapes[p.name]; dup && p.name[:3] != "4x4" {
				t.Errorf("name %s repeated", p.name)
			}
			shapes[p.name] = p.p.Shape
		}
	}
	g := newGenerator(a, nil)
	want := map[string][]int{
		"4x4/Dense/weight":       {522, 8192},
		"4x4/Dense/bias":         {512},
		"8x8/Conv0_up/weight":    {3, 3, 512, 512},
		"1024x1024/Conv1/weight": {3, 3, 16, 16},
		"ToRGB_lod0/weight":      {1, 1, 16, 3},
		"ToRGB_lod8/bias":        {3},
	}
	for _, p := range g.params {
		if w, ok := want[p.name]; ok {
			if fmt.Sprint(w) != fmt.Sprint(p.p.Shape) {
				t.Errorf("G %s: shape %v, want %v", p.name, p.p.Shape, w)
			}
			delete(want, p.name)
		}
	}
	d := newDiscriminator(a, nil)
	dwant := map[string][]int{
		"FromRGB_lod0/weight":         {1, 1, 3, 16},
		"1024x1024/Conv1_down/weight": {3, 3, 16, 32},
		"4x4/Conv/weight":             {3, 3, 513, 512},
		"4x4/Dense0/weight":           {8192, 512},
		"4x4/Dense1/weight":           {512, 11},
	}
	for _, p := range d.params {
		if w, ok := dwant[p.name]; ok {
			if fmt.Sprint(w) != fmt.Sprint(p.p.Shape) {
				t.Errorf("D %s: shape %v, want %v", p.name, p.p.Shape, w)
			}
			delete(dwant, p.name)
		}
	}
	if len(want)+len(dwant) > 0 {
		t.Errorf("missing parameters: %v %v", want, dwant)
	}
}

// TestOutputShapes runs G and D at every level of detail of a small
// network, stable and fading, and checks the shapes.
func TestOutputShapes(t *testing.T) {
	a := Arch{Resolution: 32, Channels: 3, LabelSize: 2, LatentSize: 16, FmapBase: 64, FmapMax: 16, MbstdGroup: 4}
	rng := stream(1, 0, 0)
	g, d := newGenerator(a, rng), newDiscriminator(a, rng)
	for _, lod := range []float64{3, 2.5, 2, 1.25, 1, 0.5, 0} {
		res := 32 >> int(lod)
		z := latents(a, 8, rng, nn.New[f32](8, 2))
		img := g.Net(lod).Forward(z)
		if fmt.Sprint(img.Shape) != fmt.Sprint([]int{8, 3, res, res}) {
			t.Errorf("lod %g: G output %v, want [8 3 %d %d]", lod, img.Shape, res, res)
		}
		out := d.Net(lod).Forward(img)
		if fmt.Sprint(out.Shape) != "[8 3]" {
			t.Errorf("lod %g: D output %v, want [8 3]", lod, out.Shape)
		}
		for _, v := range out.Data {
			if math.IsNaN(float64(v)) {
				t.Fatalf("lod %g: NaN", lod)
			}
		}
	}
}

// TestFadeEnds checks that a fade starts at the previous resolution's
// output: at lod just below an integer L+1 the networks compute nearly
// what the stable networks at L+1 do (G upscaled, D on the pooled input).
func TestFadeEnds(t *testing.T) {
	a := Arch{Resolution: 16, Channels: 3, LatentSize: 8, FmapBase: 32, FmapMax: 8, MbstdGroup: 4}
	rng := stream(2, 0, 0)
	g, d := newGenerator(a, rng), newDiscriminator(a, rng)
	z := latents(a, 4, rng, nil)
	old := (&nn.Upscale2D[f32]{}).Forward(g.Net(1).Forward(z))
	fading := g.Net(1 - 1e-7).Forward(z)
	if e := maxDiff(old.Data, fading.Data); e > 1e-4 {
		t.Errorf("G at the start of a fade differs from the upscaled old output by %g", e)
	}
	if e := maxDiff(g.Net(0).Forward(z).Data, g.Net(1e-9).Forward(z).Data); e > 1e-5 {
		t.Errorf("G at the end of a fade differs from the new output by %g", e)
	}
	x := g.Net(0).Forward(z)
	pooled := (&nn.Downscale2D[f32]{}).Forward(x)
	if e := maxDiff(d.Net(1).Forward(pooled).Data, d.Net(1-1e-7).Forward(x).Data); e > 1e-4 {
		t.Errorf("D at the start of a fade differs from D on the pooled input by %g", e)
	}
}

func maxDiff(a, b []f32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}
