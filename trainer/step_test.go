package trainer

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/trainer/internal/nn"
)

// newTestTrainer returns a trainer for arch a without a dataset; label
// rows, if any, are one-hot.
func newTestTrainer(a Arch, loss string) *trainer {
	cfg := DefaultConfig("", "")
	cfg.Loss = loss
	init := stream(3, purposeInit, 0)
	t := &trainer{cfg: cfg, arch: a, g: newGenerator(a, init), d: newDiscriminator(a, init)}
	if a.LabelSize > 0 {
		m := &pyramid.Labels{Rows: 5, Cols: a.LabelSize, Data: make([]float32, 5*a.LabelSize)}
		for i := range 5 {
			m.Data[i*a.LabelSize+i%a.LabelSize] = 1
		}
		t.labels = m
	}
	return t
}

// directional returns (L(θ + h·v) − L(θ − h·v))/2h and ⟨∇L, v⟩ for a
// random unit direction v over params, with the analytic gradient left in
// the parameters by grad.
func directional(params []*nn.Param[f32], loss func() float64, grad func()) (fd, an float64) {
	rng := stream(9, 0, 0)
	var v [][]float64
	var norm float64
	for _, p := range params {
		d := make([]float64, len(p.Value))
		for i := range d {
			d[i] = rng.NormFloat64()
			norm += d[i] * d[i]
		}
		v = append(v, d)
	}
	norm = math.Sqrt(norm)
	const h = 1e-2
	shift := func(s float64) {
		for i, p := range params {
			for j := range p.Value {
				p.Value[j] += f32(s * v[i][j] / norm)
			}
		}
	}
	saved := make([][]f32, len(params))
	for i, p := range params {
		saved[i] = append([]f32(nil), p.Value...)
	}
	restore := func() {
		for i, p := range params {
			copy(p.Value, saved[i])
		}
	}
	shift(h)
	lp := loss()
	restore()
	shift(-h)
	lm := loss()
	restore()
	grad()
	for i, p := range params {
		for j, g := range p.Grad {
			an += float64(g) * v[i][j] / norm
		}
	}
	return (lp - lm) / (2 * h), an
}

// TestLossGradients checks the gradients that the D and G steps leave in
// the parameters against central differences of the losses they return,
// for both losses, with and without labels, stable and fading, at native
// resolutions that scale the penalty.
func TestLossGradients(t *testing.T) {
	for _, tc := range []struct {
		loss   string
		labels int
		lod    float64
	}{
		{"wgangp", 0, 0},
		{"wgangp", 3, 0.5},
		{"wgangp", 0, 1.25},
		{"lsgan", 2, 0.7},
	} {
		t.Run(fmt.Sprintf("%s/labels=%d/lod=%g", tc.loss, tc.labels, tc.lod), func(t *testing.T) {
			a := Arch{Resolution: 16, Channels: 3, LabelSize: tc.labels, LatentSize: 8, FmapBase: 32, FmapMax: 8, MbstdGroup: 4}
			tr := newTestTrainer(a, tc.loss)
			tr.gnet, tr.dnet = tr.g.Net(tc.lod), tr.d.Net(tc.lod)
			res := 16 >> int(tc.lod)
			x := nn.New[f32](8, 3, res, res)
			rng := stream(4, 0, 0)
			for i := range x.Data {
				x.Data[i] = f32(rng.Float64()*2 - 1)
			}
			var y *nn.Tensor[f32]
			if tc.labels > 0 {
				y = tr.randomLabels(8, rng)
			}
			// The losses have kinks where a unit crosses the bend of a
			// leaky ReLU, and the penalty, which depends on D's
			// activation pattern, jumps there: differences across one
			// are meaningless. With linear units the minibatch stddev,
			// the pixel norms, the penalty and the losses remain as the
			// nonlinear parts (the layers' own derivatives are checked
			// in trainer/internal/nn).
			for _, b := range slices.Concat(tr.d.blocks, tr.d.fromRGB, tr.g.blocks, tr.g.toRGB) {
				setSlope(b, 1)
			}
			dLoss := func() float64 { return tr.dStep(x, y, tc.lod, 7).DLoss }
			fd, an := directional(tr.d.Params(), dLoss, func() { dLoss() })
			if math.Abs(fd-an) > 1e-3*math.Max(0.1, math.Abs(an)) {
				t.Errorf("D: directional derivative %g, finite difference %g", an, fd)
			}
			gLoss := func() float64 { return tr.gStep(8, 5) }
			fd, an = directional(tr.g.Params(), gLoss, func() { gLoss() })
			if math.Abs(fd-an) > 1e-3*math.Max(0.1, math.Abs(an)) {
				t.Errorf("G: directional derivative %g, finite difference %g", an, fd)
			}
		})
	}
}

// TestPenaltyScale checks that the penalty at a native resolution equals
// the reference's, computed on the nearest-neighbour upscaled input that D
// average-pools back.
func TestPenaltyScale(t *testing.T) {
	a := Arch{Resolution: 32, Channels: 3, LatentSize: 8, FmapBase: 32, FmapMax: 8, MbstdGroup: 4}
	tr := newTestTrainer(a, "wgangp")
	for _, lod := range []float64{0, 1, 2.5, 3} {
		f := 1 << int(lod)
		res := 32 / f
		x := nn.New[f32](4, 3, res, res)
		rng := stream(5, 0, 0)
		for i := range x.Data {
			x.Data[i] = f32(rng.NormFloat64())
		}
		native := nn.Penalty[f32]{Lambda: 10, Target: 1, NormScale: penaltyScale(lod)}.Accumulate(tr.d.Net(lod), x)
		full := nn.Sequential[f32]{&nn.Downscale2D[f32]{Factor: f}, tr.d.Net(lod)}
		up := (&nn.Upscale2D[f32]{Factor: f}).Forward(x)
		ref := nn.Penalty[f32]{Lambda: 10, Target: 1}.Accumulate(full, up)
		if math.Abs(float64(native-ref)) > 1e-4*math.Abs(float64(ref)) {
			t.Errorf("lod %g: penalty at native resolution %g, on the upscaled input %g", lod, native, ref)
		}
	}
}

// TestScoreLoss checks the per-sample loss terms against the reference's
// formulas and their derivatives against differences.
func TestScoreLoss(t *testing.T) {
	for _, tc := range []struct {
		loss  string
		which int
		s, l  float64
	}{
		{"wgangp", realScore, 2, -2 + 0.004},
		{"wgangp", fakeScore, 2, 2},
		{"wgangp", genScore, 2, -2},
		{"lsgan", realScore, 2, 4},
		{"lsgan", fakeScore, 3, 0.4},
		{"lsgan", genScore, -2, 4},
	} {
		l, dl := scoreLoss(tc.loss, tc.which, tc.s)
		const h = 1e-6
		lp, _ := scoreLoss(tc.loss, tc.which, tc.s+h)
		lm, _ := scoreLoss(tc.loss, tc.which, tc.s-h)
		if math.Abs(l-tc.l) > 1e-12 || math.Abs(dl-(lp-lm)/(2*h)) > 1e-6 {
			t.Errorf("%s term %d at %g: %g, %g; want %g, %g", tc.loss, tc.which, tc.s, l, dl, tc.l, (lp-lm)/(2*h))
		}
	}
}

func TestCrossEntropy(t *testing.T) {
	out := &nn.Tensor[f32]{Shape: []int{2, 3}, Data: []f32{9, 1, 2, 9, 0, 0}}
	labels := &nn.Tensor[f32]{Shape: []int{2, 2}, Data: []f32{0, 1, 1, 0}}
	grad := nn.New[f32](2, 3)
	loss := crossEntropy(out, grad, labels, 1)
	// Sample 0: −log softmax(1, 2)[1] = log(1 + e^−1); sample 1: log 2.
	want := (math.Log(1+math.Exp(-1)) + math.Log(2)) / 2
	if math.Abs(loss-want) > 1e-6 {
		t.Errorf("loss %g, want %g", loss, want)
	}
	p := 1 / (1 + math.E) // softmax(1, 2)[0]
	wantGrad := []float64{0, p / 2, -p / 2, 0, -0.25, 0.25}
	for i, g := range grad.Data {
		if math.Abs(float64(g)-wantGrad[i]) > 1e-6 {
			t.Errorf("grad %v, want %v", grad.Data, wantGrad)
			break
		}
	}
}

func TestProcessReals(t *testing.T) {
	x := &nn.Tensor[f32]{Shape: []int{1, 1, 2, 4}, Data: []f32{0, 1, 2, 3, 4, 5, 6, 7}}
	processReals(x, 3.25, false, nil)
	// 2×2 means 2.5 and 4.5; a quarter of the way there.
	want := []f32{0.625, 1.375, 2.625, 3.375, 3.625, 4.375, 5.625, 6.375}
	if maxDiff(x.Data, want) > 1e-6 {
		t.Errorf("fade: %v, want %v", x.Data, want)
	}
	// Mirroring flips about half the images, each along W.
	x = nn.New[f32](200, 1, 1, 3)
	for b := range 200 {
		copy(x.Data[b*3:], []f32{1, 2, 3})
	}
	processReals(x, 0, true, stream(1, 0, 0))
	flipped := 0
	for b := range 200 {
		switch r := x.Data[b*3 : b*3+3]; {
		case r[0] == 3 && r[2] == 1:
			flipped++
		case r[0] != 1 || r[2] != 3:
			t.Fatalf("image %d: %v", b, r)
		}
	}
	if flipped < 70 || flipped > 130 {
		t.Errorf("%d of 200 flipped", flipped)
	}
	var b [4]byte
	toBytes(b[:], []f32{-1, 1, 0.5 / 127.5, -2})
	if b != [4]byte{0, 255, 128, 0} {
		t.Errorf("toBytes = %v", b)
	}
	f := make([]f32, 2)
	toNet(f, []byte{0, 255})
	if f[0] != -1 || f[1] != 1 {
		t.Errorf("toNet = %v", f)
	}
}

// setSlope sets the slope of every leaky ReLU in l.
func setSlope(l nn.Layer[f32], s f32) {
	switch l := l.(type) {
	case *nn.LeakyReLU[f32]:
		l.Slope = s
	case nn.Sequential[f32]:
		for _, c := range l {
			setSlope(c, s)
		}
	case *nn.Fade[f32]:
		setSlope(l.New, s)
		setSlope(l.Old, s)
	}
}
