package nn

import "fmt"

// Dense is a fully connected layer without bias and with the equalized
// learning rate: y = x·(Scale·W), Scale = gain/√In. An [N, C, H, W] input is
// flattened in NCHW order, as the reference's reshape to [N, C·H·W] before
// its dense layers. The generator's 4×4 start is a Dense with gain √2/4
// followed by a Reshape to [N, C, 4, 4] and a per-channel Bias.
type Dense[T Float] struct {
	In, Out int
	Scale   T
	W       *Param[T] // [In, Out]

	x, tx *Tensor[T]
}

// NewDense returns a dense layer from in to out features with weights drawn
// from rng (left zero if rng is nil) and the run-time scale gain/√in.
func NewDense[T Float](in, out int, gain float64, rng Normal) *Dense[T] {
	l := &Dense[T]{In: in, Out: out, Scale: wscale[T](gain, in), W: newParam[T](in, out)}
	l.W.initNormal(rng)
	return l
}

// Params returns the weights.
func (l *Dense[T]) Params() []*Param[T] { return []*Param[T]{l.W} }

// Forward implements Layer; the result is [N, Out].
func (l *Dense[T]) Forward(x *Tensor[T]) *Tensor[T] {
	if len(x.Shape) < 2 || x.Len() != x.Shape[0]*l.In {
		panic(fmt.Sprintf("nn: Dense with %d inputs got shape %v", l.In, x.Shape))
	}
	l.x, l.tx = x, nil
	return l.apply(x)
}

// Backward implements Layer.
func (l *Dense[T]) Backward(dy *Tensor[T]) *Tensor[T] { return l.backprop(l.x, dy, true) }

// BackwardInput implements DualLayer.
func (l *Dense[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.backprop(l.x, dy, false) }

// Tangent implements DualLayer: the layer is linear in x.
func (l *Dense[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	sameShape(l.x, tx, "Dense tangent")
	l.tx = tx
	return l.apply(tx)
}

// TangentBackward implements DualLayer.
func (l *Dense[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.backprop(l.x, dy, true)
	}
	return dx, l.backprop(l.tx, dty, true)
}

func (l *Dense[T]) apply(x *Tensor[T]) *Tensor[T] {
	n := x.Shape[0]
	y := emptyOn[T](x.dev, n, l.Out)
	if d := x.dev; d != nil {
		wv, _ := l.W.on(d)
		d.b.gemm(false, false, n, l.Out, l.In, float32(l.Scale), x.ptr, l.In, 0, wv, l.Out, 0, 0, y.ptr, l.Out, 0, 1)
		return y
	}
	gemm(false, false, n, l.Out, l.In, l.Scale, x.Data, l.In, l.W.Value, l.Out, 0, y.Data, l.Out)
	return y
}

func (l *Dense[T]) backprop(x, dy *Tensor[T], wantDW bool) *Tensor[T] {
	n := x.Shape[0]
	if len(dy.Shape) != 2 || dy.Shape[0] != n || dy.Shape[1] != l.Out {
		panic(fmt.Sprintf("nn: Dense output gradient has shape %v, want [%d %d]", dy.Shape, n, l.Out))
	}
	dx := emptyLike(x)
	if d := devOf(x, dy); d != nil {
		wv, wg := l.W.on(d)
		s := float32(l.Scale)
		d.b.gemm(false, true, n, l.In, l.Out, s, dy.ptr, l.Out, 0, wv, l.Out, 0, 0, dx.ptr, l.In, 0, 1)
		if wantDW {
			d.b.gemm(true, false, l.In, l.Out, n, s, x.ptr, l.In, 0, dy.ptr, l.Out, 0, 1, wg, l.Out, 0, 1)
		}
		return dx
	}
	gemm(false, true, n, l.In, l.Out, l.Scale, dy.Data, l.Out, l.W.Value, l.Out, 0, dx.Data, l.In)
	if wantDW {
		gemm(true, false, l.In, l.Out, n, l.Scale, x.Data, l.In, dy.Data, l.Out, 1, l.W.Grad, l.Out)
	}
	return dx
}
