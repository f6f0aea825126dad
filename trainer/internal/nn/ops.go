package nn

// The element-wise kernels of kernels.go on whole tensors, run on the
// tensors' device: the host's Go kernels or the device backend's.

func opLeakyMul[T Float](dst, src, x *Tensor[T], slope T) {
	if d := devOf(dst, src, x); d != nil {
		d.b.leakyMul(dst.ptr, src.ptr, x.ptr, dst.Len(), float32(slope))
		return
	}
	leakyMul(dst.Data, src.Data, x.Data, slope)
}

func opLerp[T Float](dst, a, b *Tensor[T], t T) {
	if d := devOf(dst, a, b); d != nil {
		d.b.lerp(dst.ptr, a.ptr, b.ptr, dst.Len(), float32(t))
		return
	}
	lerp(dst.Data, a.Data, b.Data, t)
}

func opScale[T Float](dst, src *Tensor[T], alpha T) {
	if d := devOf(dst, src); d != nil {
		d.b.scale(dst.ptr, src.ptr, dst.Len(), float32(alpha))
		return
	}
	scale(dst.Data, src.Data, alpha)
}

func opAdd[T Float](dst, src *Tensor[T]) {
	if d := devOf(dst, src); d != nil {
		d.b.add(dst.ptr, src.ptr, dst.Len())
		return
	}
	add(dst.Data, src.Data)
}

func opUpscale[T Float](dst, src *Tensor[T], nc, h, w, f int, alpha T) {
	if d := devOf(dst, src); d != nil {
		d.b.upscale(dst.ptr, src.ptr, nc, h, w, f, float32(alpha))
		return
	}
	upscale(dst.Data, src.Data, nc, h, w, f, alpha)
}

func opDownscale[T Float](dst, src *Tensor[T], nc, h, w, f int, alpha T) {
	if d := devOf(dst, src); d != nil {
		d.b.downscale(dst.ptr, src.ptr, nc, h, w, f, float32(alpha))
		return
	}
	downscale(dst.Data, src.Data, nc, h, w, f, alpha)
}
