package trainer

import (
	"math"
	"math/rand/v2"

	"github.com/progan/progan/trainer/internal/nn"
)

// The loss constants of the reference's loss.py (docs/trainer.md#losses).
const (
	wganLambda  = 10.0  // λ of the gradient penalty
	wganTarget  = 1.0   // γ
	wganEpsilon = 0.001 // drift
	condWeight  = 1.0   // weight of the label cross-entropy terms
	lsganFake   = 0.1   // the Theano LSGAN's L2_fake_weight
)

// Random streams: every random choice of a run comes from a PCG stream
// keyed by the run's seed, what it is for, and a counter (the step), so
// that a resumed run draws exactly what an uninterrupted one would.
const (
	purposeInit uint64 = iota + 1
	purposeDLatents
	purposeGLatents
	purposeMix
	purposeMirror
	purposeGLabels
	purposeShuffle
	purposeGrid
	purposeSWD
)

func stream(seed, purpose, counter uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, purpose<<56^counter))
}

// stepStats are the losses of one D and one G step.
type stepStats struct {
	DLoss, GLoss float64
	Penalty      float64 // λ·(‖∇‖−γ)²/γ², batch mean (WGAN-GP)
	RealScore    float64 // mean D score of the reals
	FakeScore    float64 // mean D score of the fakes in the D step
	Skipped      int     // updates skipped for non-finite gradients
}

// Which score a per-sample loss term is of.
const (
	realScore = iota // D(real) in the D loss
	fakeScore        // D(fake) in the D loss
	genScore         // D(fake) in the G loss
)

// scoreLoss returns the per-sample loss term of a score s and its
// derivative: for WGAN-GP −s + ε·s², s and −s; for the Theano LSGAN s²,
// 0.1·(s − 1)² and s² (docs/trainer.md#losses).
func scoreLoss(loss string, which int, s float64) (l, dl float64) {
	if loss == "lsgan" {
		if which == fakeScore {
			return lsganFake * (s - 1) * (s - 1), 2 * lsganFake * (s - 1)
		}
		return s * s, 2 * s
	}
	switch which {
	case realScore:
		return -s + wganEpsilon*s*s, -1 + 2*wganEpsilon*s
	case fakeScore:
		return s, 1
	}
	return -s, -1
}

// penaltyScale is the factor 1/2^floor(lod) of the gradient norm of D
// run at the native resolution of lod (see dStep).
func penaltyScale(lod float64) f32 { return f32(math.Ldexp(1, -int(lod))) }

// latents returns n rows of the generator's input: latent vectors drawn
// from N(0, I), followed by the label rows when the network takes labels.
func latents(a Arch, n int, rng *rand.Rand, labels *nn.Tensor[f32]) *nn.Tensor[f32] {
	k := a.LatentSize + a.LabelSize
	z := nn.New[f32](n, k)
	for b := range n {
		row := z.Data[b*k:][:k]
		for i := range a.LatentSize {
			row[i] = f32(rng.NormFloat64())
		}
		if a.LabelSize > 0 {
			copy(row[a.LatentSize:], labels.Data[b*a.LabelSize:][:a.LabelSize])
		}
	}
	return z
}

// dStep runs one discriminator step on the reals x (labels y) at lod and
// returns D's loss terms; the gradients are left in D's parameters. x and
// y are on the host; on a GPU, x and the latents go up, and only D's
// outputs come back for the losses.
func (t *trainer) dStep(x, y *nn.Tensor[f32], lod float64, counter uint64) stepStats {
	n := x.Shape[0]
	end := t.dev.phase() // G's activations are not needed past the fakes
	fake := t.gnet.Forward(t.dev.up(latents(t.arch, n, stream(t.cfg.Seed, purposeDLatents, counter), y)))
	end(fake)
	x = t.dev.up(x)
	// Every parameter of D, not only those of the lod's network: Adam
	// updates them all, and a layer outside the network (the previous
	// resolution's FromRGB after its fade) must see a zero gradient, as in
	// the reference, or it would move by its stale one on every step.
	nn.ClearGrads(t.d.Params())
	var st stepStats

	// Reals: −D(x) + ε·D(x)² for WGAN-GP, D(x)² for LSGAN; the fakes take
	// the reals' labels.
	end = t.dev.phase()
	out := t.dnet.Forward(x).Host()
	grad := nn.New[f32](out.Shape...)
	k := out.Shape[1]
	for b := range n {
		s := float64(out.Data[b*k])
		st.RealScore += s / float64(n)
		l, g := scoreLoss(t.cfg.Loss, realScore, s)
		st.DLoss += l / float64(n)
		grad.Data[b*k] = f32(g / float64(n))
	}
	st.DLoss += crossEntropy(out, grad, y, condWeight)
	t.dnet.Backward(t.dev.up(grad))
	end()

	end = t.dev.phase()
	out = t.dnet.Forward(fake).Host()
	grad = nn.New[f32](out.Shape...)
	for b := range n {
		s := float64(out.Data[b*k])
		st.FakeScore += s / float64(n)
		l, g := scoreLoss(t.cfg.Loss, fakeScore, s)
		st.DLoss += l / float64(n)
		grad.Data[b*k] = f32(g / float64(n))
	}
	st.DLoss += crossEntropy(out, grad, y, condWeight)
	t.dnet.Backward(t.dev.up(grad))
	end()

	if t.cfg.Loss == "wgangp" {
		// x̂ = x + (fake − x)·u with u ~ U[0, 1) per sample. D runs at the
		// native resolution, so the gradient norm is divided by the
		// factor 2^floor(lod) by which the reference's D pools its
		// full-resolution input (docs/trainer.md#losses): the penalty is then the same.
		rng := stream(t.cfg.Seed, purposeMix, counter)
		u := make([]f32, n)
		for b := range u {
			u[b] = f32(rng.Float64())
		}
		xhat := nn.MixRows(x, fake, u)
		p := nn.Penalty[f32]{Lambda: wganLambda, Target: wganTarget, NormScale: penaltyScale(lod)}
		st.Penalty = float64(p.Accumulate(t.dnet, xhat))
		st.DLoss += st.Penalty
	}
	return st
}

// gStep runs one generator step at lod with labels drawn from the
// dataset's label rows and returns G's loss; the gradients are left in G's
// parameters (D's are not touched).
func (t *trainer) gStep(n int, counter uint64) float64 {
	var y *nn.Tensor[f32]
	if t.arch.LabelSize > 0 {
		y = t.randomLabels(n, stream(t.cfg.Seed, purposeGLabels, counter))
	}
	z := latents(t.arch, n, stream(t.cfg.Seed, purposeGLatents, counter), y)
	fake := t.gnet.Forward(t.dev.up(z))
	out := t.dnet.Forward(fake).Host()
	grad := nn.New[f32](out.Shape...)
	k := out.Shape[1]
	var loss float64
	for b := range n {
		s := float64(out.Data[b*k])
		l, g := scoreLoss(t.cfg.Loss, genScore, s)
		loss += l / float64(n)
		grad.Data[b*k] = f32(g / float64(n))
	}
	loss += crossEntropy(out, grad, y, condWeight)
	nn.ClearGrads(t.g.Params()) // all of G's, as in dStep
	t.gnet.Backward(t.dnet.BackwardInput(t.dev.up(grad)))
	return loss
}

// randomLabels returns n rows of the dataset's labels chosen uniformly,
// as the reference's get_random_labels_tf.
func (t *trainer) randomLabels(n int, rng *rand.Rand) *nn.Tensor[f32] {
	l := t.arch.LabelSize
	y := nn.New[f32](n, l)
	for b := range n {
		copy(y.Data[b*l:][:l], t.labels.Row(rng.IntN(t.labels.Rows))[:l])
	}
	return y
}

// crossEntropy adds to grad, the gradient of D's [N, 1+L] output out, the
// gradient of weight·mean_b CE(labels_b, softmax(logits_b)), the logits
// being the outputs after the score, and returns that loss. It does
// nothing for nil labels. As TensorFlow's softmax_cross_entropy_with_logits
// it does not assume the label rows sum to 1.
func crossEntropy(out, grad, labels *nn.Tensor[f32], weight float64) float64 {
	if labels == nil {
		return 0
	}
	n, k := out.Shape[0], out.Shape[1]
	l := k - 1
	var loss float64
	p := make([]float64, l)
	for b := range n {
		logits, y := out.Data[b*k+1:][:l], labels.Data[b*l:][:l]
		mx := math.Inf(-1)
		for _, v := range logits {
			mx = max(mx, float64(v))
		}
		var sum, ysum float64
		for i, v := range logits {
			p[i] = math.Exp(float64(v) - mx)
			sum += p[i]
		}
		for i := range p {
			p[i] /= sum
			loss -= float64(y[i]) * (float64(logits[i]) - mx - math.Log(sum))
			ysum += float64(y[i])
		}
		for i := range p {
			grad.Data[b*k+1+i] += f32(weight * (p[i]*ysum - float64(y[i])) / float64(n))
		}
	}
	return weight * loss / float64(n)
}
