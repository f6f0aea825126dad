package nn

import "fmt"

// MinibatchStddev appends to an [N, C, H, W] input one feature map holding
// a statistic of the variation across the minibatch, the reference's
// minibatch_stddev_layer: the batch is split into N/G groups of G =
// min(GroupSize, N) samples, sample n in group n mod (N/G); per group the
// standard deviation over its samples (√(variance + 1e-8)) of every
// feature is averaged over C, H and W, and that scalar fills the extra
// channel of the group's samples. The output is [N, C+1, H, W]. The
// reference leaves the layer out for a group size of 1 (mbstd_group_size
// ≤ 1), and so should a network built from this package.
//
// The layer is the one nonlinear part of the discriminator's tangent
// computation with a nonzero second derivative, so its TangentBackward
// carries the cross terms into dx; the reference differentiates through
// it the same way.
type MinibatchStddev[T Float] struct {
	GroupSize int // 0 means the reference's 4

	x, tx *Tensor[T]
}

func (l *MinibatchStddev[T]) groups(x *Tensor[T]) (n, g, c, hw int) {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nn: MinibatchStddev needs an [N,C,H,W] tensor, got shape %v", x.Shape))
	}
	n, c, h, w := nchw(x)
	g = l.GroupSize
	if g == 0 {
		g = 4
	}
	g = min(g, n)
	if g < 1 || n%g != 0 {
		panic(fmt.Sprintf("nn: MinibatchStddev group size %d does not divide the batch of %d", g, n))
	}
	return n, g, c, h * w
}

// Forward implements Layer.
func (l *MinibatchStddev[T]) Forward(x *Tensor[T]) *Tensor[T] {
	n, g, c, hw := l.groups(x)
	l.x, l.tx = x, nil
	if d := x.dev; d != nil {
		stat := emptyOn[T](d, n/g)
		d.b.mbstd(stat.ptr, 0, x.ptr, 0, n, g, c*hw)
		y := emptyOn[T](d, n, c+1, x.Shape[2], x.Shape[3])
		d.b.appendChannel(y.ptr, x.ptr, stat.ptr, n, c, hw, n/g)
		return y
	}
	stat := make([]T, n/g)
	mbstd(stat, nil, x.Data, nil, n, g, c*hw)
	y := New[T](n, c+1, x.Shape[2], x.Shape[3])
	appendChannel(y.Data, x.Data, stat, n, c, hw)
	return y
}

// Backward implements Layer.
func (l *MinibatchStddev[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	dx, _ := l.backprop(dy, nil)
	return dx
}

// BackwardInput implements DualLayer.
func (l *MinibatchStddev[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.Backward(dy) }

// Tangent implements DualLayer.
func (l *MinibatchStddev[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	sameShape(l.x, tx, "MinibatchStddev tangent")
	l.tx = tx
	n, g, c, hw := l.groups(tx)
	if d := devOf(tx, l.x); d != nil {
		stat, tstat := emptyOn[T](d, n/g), emptyOn[T](d, n/g)
		d.b.mbstd(stat.ptr, tstat.ptr, l.x.ptr, tx.ptr, n, g, c*hw)
		ty := emptyOn[T](d, n, c+1, tx.Shape[2], tx.Shape[3])
		d.b.appendChannel(ty.ptr, tx.ptr, tstat.ptr, n, c, hw, n/g)
		return ty
	}
	stat, tstat := make([]T, n/g), make([]T, n/g)
	mbstd(stat, tstat, l.x.Data, tx.Data, n, g, c*hw)
	ty := New[T](n, c+1, tx.Shape[2], tx.Shape[3])
	appendChannel(ty.Data, tx.Data, tstat, n, c, hw)
	return ty
}

// TangentBackward implements DualLayer. Unlike the linear layers it gives a
// nonzero dx even for a nil dy: the tangent of the statistic depends on x.
func (l *MinibatchStddev[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if l.tx == nil {
		panic("nn: MinibatchStddev tangent backward before Tangent")
	}
	return l.backprop(dy, dty)
}

// backprop returns the cotangents of x and, when dty is not nil, of tx.
func (l *MinibatchStddev[T]) backprop(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if l.x == nil {
		panic("nn: MinibatchStddev backward before Forward")
	}
	n, g, c, hw := l.groups(l.x)
	want := []int{n, c + 1, l.x.Shape[2], l.x.Shape[3]}
	for _, t := range []*Tensor[T]{dy, dty} {
		if t != nil && !equalShape(t.Shape, want) {
			panic(fmt.Sprintf("nn: MinibatchStddev output cotangent has shape %v, want %v", t.Shape, want))
		}
	}
	dx = like(l.x)
	if d := devOf(l.x, dy, dty); d != nil {
		var dstat, dtstat, tx *Tensor[T]
		if dy != nil {
			dstat = emptyOn[T](d, n/g)
			d.b.splitChannel(dx.ptr, dstat.ptr, dy.ptr, n, c, hw, n/g)
		}
		if dty != nil {
			dtx = like(l.x)
			dtstat = emptyOn[T](d, n/g)
			d.b.splitChannel(dtx.ptr, dtstat.ptr, dty.ptr, n, c, hw, n/g)
			tx = l.tx
		}
		d.b.mbstdBackward(dx.ptr, dtx.p(), l.x.ptr, tx.p(), dstat.p(), dtstat.p(), n, g, c*hw)
		return dx, dtx
	}
	var dstat, dtstat, tx []T
	if dy != nil {
		dstat = make([]T, n/g)
		splitChannel(dx.Data, dstat, dy.Data, n, c, hw)
	}
	if dty != nil {
		dtx = like(l.x)
		dtstat = make([]T, n/g)
		splitChannel(dtx.Data, dtstat, dty.Data, n, c, hw)
		tx = l.tx.Data
	}
	mbstdBackward(dx.Data, dtx.dataOrNil(), l.x.Data, tx, dstat, dtstat, n, g, c*hw)
	return dx, dtx
}
