package nn

import "fmt"

// Bias adds one learned value per channel (axis 1) of an [N, C, H, W] or
// [N, C] input, as the reference's apply_bias. Biases start at zero and are
// not scaled by the equalized learning rate.
type Bias[T Float] struct {
	B *Param[T] // [C]

	x *Tensor[T]
}

// NewBias returns a zero bias for c channels.
func NewBias[T Float](c int) *Bias[T] { return &Bias[T]{B: newParam[T](c)} }

// Params returns the biases.
func (l *Bias[T]) Params() []*Param[T] { return []*Param[T]{l.B} }

// Forward implements Layer.
func (l *Bias[T]) Forward(x *Tensor[T]) *Tensor[T] {
	n, c, h, w := nchw(x)
	if c != len(l.B.Value) {
		panic(fmt.Sprintf("nn: Bias for %d channels got shape %v", len(l.B.Value), x.Shape))
	}
	l.x = x
	y := emptyLike(x)
	if d := x.dev; d != nil {
		b, _ := l.B.on(d)
		d.b.addBias(y.ptr, x.ptr, b, n, c, h*w)
		return y
	}
	addBias(y.Data, x.Data, l.B.Value, n, c, h*w)
	return y
}

// Backward implements Layer.
func (l *Bias[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	sameShape(l.x, dy, "Bias backward")
	n, c, h, w := nchw(dy)
	if d := dy.dev; d != nil {
		_, g := l.B.on(d)
		d.b.sumBias(g, dy.ptr, n, c, h*w)
		return dy
	}
	sumBias(l.B.Grad, dy.Data, n, c, h*w)
	return dy
}

// BackwardInput implements DualLayer.
func (l *Bias[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return dy }

// Tangent implements DualLayer: a shift has the identity as its derivative.
func (l *Bias[T]) Tangent(tx *Tensor[T]) *Tensor[T] { return tx }

// TangentBackward implements DualLayer. The tangent does not depend on the
// bias, so only dy reaches its gradient.
func (l *Bias[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		l.Backward(dy)
	}
	return dy, dty
}

// LeakyReLU is max(x, Slope·x); the reference uses Slope 0.2, and Slope 0
// is a ReLU.
type LeakyReLU[T Float] struct {
	Slope T

	x *Tensor[T]
}

// Forward implements Layer.
func (l *LeakyReLU[T]) Forward(x *Tensor[T]) *Tensor[T] {
	l.x = x
	y := emptyLike(x)
	opLeakyMul(y, x, x, l.Slope)
	return y
}

// Backward implements Layer.
func (l *LeakyReLU[T]) Backward(dy *Tensor[T]) *Tensor[T] { return l.mul(dy, "LeakyReLU backward") }

// BackwardInput implements DualLayer.
func (l *LeakyReLU[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.Backward(dy) }

// Tangent implements DualLayer.
func (l *LeakyReLU[T]) Tangent(tx *Tensor[T]) *Tensor[T] { return l.mul(tx, "LeakyReLU tangent") }

// TangentBackward implements DualLayer. The function is piecewise linear:
// its second derivative is zero (almost everywhere), so x receives no
// contribution from dty.
func (l *LeakyReLU[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.Backward(dy)
	}
	return dx, l.mul(dty, "LeakyReLU tangent backward")
}

// mul returns t·f'(x) at the input x of the last Forward.
func (l *LeakyReLU[T]) mul(t *Tensor[T], what string) *Tensor[T] {
	sameShape(l.x, t, what)
	r := emptyLike(t)
	opLeakyMul(r, t, l.x, l.Slope)
	return r
}

// PixelNorm divides every pixel's feature vector by its root mean square,
// x / √(mean over channels of x² + Eps), as the reference's pixel_norm
// over axis 1. An [N, F] input (the generator's latents) is normalised per
// sample. The generator alone uses it, so it has no tangent passes.
type PixelNorm[T Float] struct {
	Eps T // 0 means the reference's 1e-8

	x *Tensor[T]
}

func (l *PixelNorm[T]) eps() T {
	if l.Eps == 0 {
		return 1e-8
	}
	return l.Eps
}

// Forward implements Layer.
func (l *PixelNorm[T]) Forward(x *Tensor[T]) *Tensor[T] {
	n, c, h, w := nchw(x)
	l.x = x
	y := emptyLike(x)
	if d := x.dev; d != nil {
		d.b.pixelNorm(y.ptr, x.ptr, n, c, h*w, float32(l.eps()))
		return y
	}
	pixelNorm(y.Data, x.Data, n, c, h*w, l.eps())
	return y
}

// Backward implements Layer.
func (l *PixelNorm[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	sameShape(l.x, dy, "PixelNorm backward")
	n, c, h, w := nchw(dy)
	dx := emptyLike(dy)
	if d := devOf(dy, l.x); d != nil {
		d.b.pixelNormBackward(dx.ptr, dy.ptr, l.x.ptr, n, c, h*w, float32(l.eps()))
		return dx
	}
	pixelNormBackward(dx.Data, dy.Data, l.x.Data, n, c, h*w, l.eps())
	return dx
}

// Upscale2D repeats every pixel Factor×Factor times (nearest-neighbour
// upsampling, the reference's upscale2d); Factor 0 means 2.
type Upscale2D[T Float] struct {
	Factor int

	shape []int
}

// Downscale2D averages Factor×Factor blocks (average pooling with stride
// Factor, the reference's downscale2d); Factor 0 means 2.
type Downscale2D[T Float] struct {
	Factor int

	shape []int
}

func factor(f int) int {
	if f == 0 {
		return 2
	}
	return f
}

// Forward implements Layer.
func (l *Upscale2D[T]) Forward(x *Tensor[T]) *Tensor[T] {
	l.shape = x.Shape
	return upscaleT(x, factor(l.Factor), 1)
}

// Backward implements Layer: the adjoint of repeating is summing.
func (l *Upscale2D[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	return downscaleT(dy, l.shape, factor(l.Factor), 1)
}

// BackwardInput implements DualLayer.
func (l *Upscale2D[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.Backward(dy) }

// Tangent implements DualLayer; the layer is linear.
func (l *Upscale2D[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	checkTangent(l.shape, tx, "Upscale2D")
	return upscaleT(tx, factor(l.Factor), 1)
}

// TangentBackward implements DualLayer.
func (l *Upscale2D[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.Backward(dy)
	}
	return dx, l.Backward(dty)
}

// Forward implements Layer.
func (l *Downscale2D[T]) Forward(x *Tensor[T]) *Tensor[T] {
	f := factor(l.Factor)
	if len(x.Shape) != 4 || x.Shape[2]%f != 0 || x.Shape[3]%f != 0 {
		panic(fmt.Sprintf("nn: Downscale2D by %d got shape %v", f, x.Shape))
	}
	l.shape = x.Shape
	return l.apply(x)
}

func (l *Downscale2D[T]) apply(x *Tensor[T]) *Tensor[T] {
	f := factor(l.Factor)
	n, c, h, w := nchw(x)
	return downscaleT(x, []int{n, c, h / f, w / f}, f, 1/T(f*f))
}

// Backward implements Layer: the adjoint of averaging spreads each value
// over its block, divided by the block size.
func (l *Downscale2D[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	f := factor(l.Factor)
	if l.shape == nil || len(dy.Shape) != 4 || !equalShape(l.shape, []int{dy.Shape[0], dy.Shape[1], dy.Shape[2] * f, dy.Shape[3] * f}) {
		panic(fmt.Sprintf("nn: Downscale2D gradient has shape %v for input shape %v", dy.Shape, l.shape))
	}
	return upscaleT(dy, f, 1/T(f*f))
}

// BackwardInput implements DualLayer.
func (l *Downscale2D[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.Backward(dy) }

// Tangent implements DualLayer; the layer is linear.
func (l *Downscale2D[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	checkTangent(l.shape, tx, "Downscale2D")
	return l.apply(tx)
}

// TangentBackward implements DualLayer.
func (l *Downscale2D[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.Backward(dy)
	}
	return dx, l.Backward(dty)
}

func upscaleT[T Float](x *Tensor[T], f int, alpha T) *Tensor[T] {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nn: upscaling needs an [N,C,H,W] tensor, got shape %v", x.Shape))
	}
	n, c, h, w := nchw(x)
	y := emptyOn[T](x.dev, n, c, h*f, w*f)
	opUpscale(y, x, n*c, h, w, f, alpha)
	return y
}

func downscaleT[T Float](x *Tensor[T], shape []int, f int, alpha T) *Tensor[T] {
	if len(x.Shape) != 4 || len(shape) != 4 || shape[0] != x.Shape[0] || shape[1] != x.Shape[1] ||
		shape[2]*f != x.Shape[2] || shape[3]*f != x.Shape[3] {
		panic(fmt.Sprintf("nn: cannot downscale shape %v by %d to %v", x.Shape, f, shape))
	}
	y := emptyOn[T](x.dev, shape...)
	opDownscale(y, x, shape[0]*shape[1], x.Shape[2], x.Shape[3], f, alpha)
	return y
}

// checkTangent panics unless the tangent t has the shape of the input of
// the last Forward.
func checkTangent[T Float](shape []int, t *Tensor[T], layer string) {
	if shape == nil {
		panic(fmt.Sprintf("nn: %s tangent before Forward", layer))
	}
	if !equalShape(shape, t.Shape) {
		panic(fmt.Sprintf("nn: %s tangent has shape %v, want %v", layer, t.Shape, shape))
	}
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Reshape gives every sample a new shape of the same size, keeping the
// batch axis and the data, e.g. the generator's [N, 16·C] dense output to
// [N, C, 4, 4], channel-major as in the reference.
type Reshape[T Float] struct {
	Shape []int // per sample

	in []int
}

// Forward implements Layer.
func (l *Reshape[T]) Forward(x *Tensor[T]) *Tensor[T] {
	l.in = x.Shape
	return x.Reshape(append([]int{x.Shape[0]}, l.Shape...)...)
}

// Backward implements Layer.
func (l *Reshape[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	if l.in == nil {
		panic("nn: Reshape backward before Forward")
	}
	return dy.Reshape(l.in...)
}

// BackwardInput implements DualLayer.
func (l *Reshape[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.Backward(dy) }

// Tangent implements DualLayer.
func (l *Reshape[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	checkTangent(l.in, tx, "Reshape")
	return tx.Reshape(append([]int{tx.Shape[0]}, l.Shape...)...)
}

// TangentBackward implements DualLayer.
func (l *Reshape[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.Backward(dy)
	}
	return dx, l.Backward(dty)
}

// Lerp is the fade-in blend a + (b − a)·Alpha of two same-shaped inputs,
// with Alpha a constant of the step (the reference's lod fraction). It is
// linear in (a, b), so its passes need no cache.
type Lerp[T Float] struct {
	Alpha T
}

// Forward returns a + (b − a)·Alpha.
func (l Lerp[T]) Forward(a, b *Tensor[T]) *Tensor[T] {
	sameShape(a, b, "Lerp")
	y := emptyLike(a)
	opLerp(y, a, b, l.Alpha)
	return y
}

// Backward returns the gradients of a and b: (1 − Alpha)·dy and Alpha·dy.
func (l Lerp[T]) Backward(dy *Tensor[T]) (da, db *Tensor[T]) {
	if dy == nil {
		return nil, nil
	}
	da, db = emptyLike(dy), emptyLike(dy)
	opScale(da, dy, 1-l.Alpha)
	opScale(db, dy, l.Alpha)
	return da, db
}

// Tangent returns the tangent of the output for tangents ta and tb of
// the inputs.
func (l Lerp[T]) Tangent(ta, tb *Tensor[T]) *Tensor[T] { return l.Forward(ta, tb) }

// TangentBackward returns the cotangents of a, b, ta and tb for those of
// the output and its tangent; a nil dy stands for zero and gives nil da, db.
func (l Lerp[T]) TangentBackward(dy, dty *Tensor[T]) (da, db, dta, dtb *Tensor[T]) {
	da, db = l.Backward(dy)
	dta, dtb = l.Backward(dty)
	return da, db, dta, dtb
}

// Fade is the fade-in of a resolution transition: it runs two branches on
// the same input and blends them, y = New(x) + (Old(x) − New(x))·Alpha,
// with Alpha the fractional part of the reference's lod. In the
// discriminator New is FromRGB at the new resolution followed by its block
// and Old the average pool followed by the previous FromRGB; in the
// generator New is the new block followed by its ToRGB and Old the
// previous ToRGB followed by Upscale2D. Fade is a DualLayer when both
// branches are.
type Fade[T Float] struct {
	New, Old Layer[T]
	Alpha    T
}

func (l *Fade[T]) lerp() Lerp[T] { return Lerp[T]{Alpha: l.Alpha} }

// Forward implements Layer.
func (l *Fade[T]) Forward(x *Tensor[T]) *Tensor[T] {
	return l.lerp().Forward(l.New.Forward(x), l.Old.Forward(x))
}

// Backward implements Layer.
func (l *Fade[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	da, db := l.lerp().Backward(dy)
	return sum(l.New.Backward(da), l.Old.Backward(db))
}

// BackwardInput implements DualLayer.
func (l *Fade[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] {
	da, db := l.lerp().Backward(dy)
	return sum(l.dual(l.New).BackwardInput(da), l.dual(l.Old).BackwardInput(db))
}

// Tangent implements DualLayer.
func (l *Fade[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	return l.lerp().Tangent(l.dual(l.New).Tangent(tx), l.dual(l.Old).Tangent(tx))
}

// TangentBackward implements DualLayer.
func (l *Fade[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	da, db, dta, dtb := l.lerp().TangentBackward(dy, dty)
	dxa, dtxa := l.dual(l.New).TangentBackward(da, dta)
	dxb, dtxb := l.dual(l.Old).TangentBackward(db, dtb)
	return sum(dxa, dxb), sum(dtxa, dtxb)
}

// Params returns the parameters of New, then of Old.
func (l *Fade[T]) Params() []*Param[T] { return append(Params(l.New), Params(l.Old)...) }

func (l *Fade[T]) dual(b Layer[T]) DualLayer[T] {
	d, ok := b.(DualLayer[T])
	if !ok {
		panic(fmt.Sprintf("nn: Fade branch %T has no tangent passes", b))
	}
	return d
}

// sum returns a + b in a new tensor, where nil stands for zero.
func sum[T Float](a, b *Tensor[T]) *Tensor[T] {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	sameShape(a, b, "sum of branch gradients")
	s := a.Clone()
	opAdd(s, b)
	return s
}
