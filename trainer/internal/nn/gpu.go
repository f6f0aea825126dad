//go:build cuda || cudaemu

package nn

// The GPU backend over a driver: the pool of device buffers, the tensor
// arena, the parameter packing of kernel launches and the launch sizes of
// every kernel of cuda/kernels.cu. The driver is CUDA itself (cuda.go) or,
// in the cudaemu build, the emulator (emu.go), which runs the same kernel
// source on the CPU so that this layer and the kernels are tested without
// a GPU.

import (
	"fmt"
	"math"
	"runtime"
	"unsafe"
)

// CUDAAvailable reports whether this build has the CUDA backend.
const CUDAAvailable = true

// driver is what a GPU backend needs of CUDA: memory, copies in stream
// order, kernel launches and products. Sizes are in bytes.
type driver interface {
	malloc(bytes int64) (uintptr, error)
	mfree(p uintptr)
	htod(dst uintptr, src unsafe.Pointer, bytes int64) error
	dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error
	dtod(dst, src uintptr, bytes int64) error
	memset0(p uintptr, bytes int64) error
	// launch runs kernel name on blocks blocks of gpuThreads threads;
	// every argument is 8 bytes whose low half is what a 4-byte
	// parameter reads.
	launch(name string, blocks int, args []uint64) error
	sgemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, c uintptr, ldc, sc, batch int) error
	sync() error
	close()
}

// gpuThreads is the block size of every launch.
const gpuThreads = 256

var kernelNames = []string{
	"im2col", "im2col_t", "batch_transpose", "col2im", "col2im_t", "leaky_mul", "add_bias", "sum_bias_partial", "sum_bias_final", "upscale", "downscale", "lerp", "scale", "add",
	"pixel_norm", "pixel_norm_backward", "mbstd", "mbstd_backward", "append_channel", "split_channel", "split_stat",
	"adam_update", "all_finite", "row_sq_norm", "scale_rows", "mix_rows",
}

type gpuBackend struct {
	drv    driver
	err    error
	closed bool

	pool  map[int][]uintptr // free buffers by size in values
	size  map[uintptr]int   // every buffer held, by address
	arena []uintptr         // tensors since the arena's start, in order; 0 once discarded
	where map[uintptr]int   // index in arena of every tensor there
	held  int64             // bytes held, in use and pooled
	most  int64             // the most held
	flag  uintptr           // one int for all_finite
	ws    uintptr           // the convolutions' workspace
	wsN   int               // its size in values
}

// newGPU wraps a driver as a Device; the caller has locked the goroutine
// to its thread.
func newGPU(drv driver, name string, memory int64) (*Device, error) {
	g := &gpuBackend{drv: drv, pool: map[int][]uintptr{}, size: map[uintptr]int{}, where: map[uintptr]int{}}
	g.flag = g.persistent(1)
	if g.err != nil {
		g.close()
		return nil, g.err
	}
	return &Device{b: g, name: name, memory: memory}, nil
}

func (g *gpuBackend) fail(err error) {
	if g.err == nil && err != nil {
		g.err = err
	}
}

// raw returns a buffer of n values from the pool or the driver; a failed
// allocation returns the pool to the driver and tries once more.
func (g *gpuBackend) raw(n int) uintptr {
	if g.err != nil {
		return 0
	}
	n = max(n, 1)
	if l := g.pool[n]; len(l) > 0 {
		p := l[len(l)-1]
		g.pool[n] = l[:len(l)-1]
		return p
	}
	p, err := g.drv.malloc(int64(n) * 4)
	if err != nil {
		g.trim()
		if p, err = g.drv.malloc(int64(n) * 4); err != nil {
			g.fail(fmt.Errorf("allocating %d MiB of GPU memory (%d MiB held): %w", int64(n)*4>>20, g.held>>20, err))
			return 0
		}
	}
	g.size[p] = n
	g.held += int64(n) * 4
	g.most = max(g.most, g.held)
	return p
}

// trim returns the pooled buffers to the driver.
func (g *gpuBackend) trim() {
	g.drv.sync()
	for n, l := range g.pool {
		for _, p := range l {
			g.drv.mfree(p)
			delete(g.size, p)
			g.held -= int64(n) * 4
		}
	}
	clear(g.pool)
}

func (g *gpuBackend) alloc(n int) uintptr {
	p := g.raw(n)
	if p != 0 {
		g.zero(p, n)
		g.where[p] = len(g.arena)
		g.arena = append(g.arena, p)
	}
	return p
}

func (g *gpuBackend) allocEmpty(n int) uintptr {
	p := g.raw(n)
	if p != 0 {
		g.where[p] = len(g.arena)
		g.arena = append(g.arena, p)
	}
	return p
}

func (g *gpuBackend) discard(p uintptr) {
	i, ok := g.where[p]
	if !ok {
		return // not an arena tensor (or freed already)
	}
	delete(g.where, p)
	g.arena[i] = 0
	g.free(p, g.size[p])
}

func (g *gpuBackend) temp(n int) uintptr { return g.raw(n) }

func (g *gpuBackend) persistent(n int) uintptr {
	p := g.raw(n)
	if p != 0 {
		g.zero(p, n)
	}
	return p
}

func (g *gpuBackend) free(p uintptr, n int) {
	if p == 0 {
		return
	}
	n = max(n, 1)
	g.pool[n] = append(g.pool[n], p)
}

func (g *gpuBackend) mark() int { return len(g.arena) }

func (g *gpuBackend) release(mark int, keep map[uintptr]bool) {
	kept := g.arena[:mark]
	for _, p := range g.arena[mark:] {
		switch {
		case p == 0:
		case keep[p]:
			g.where[p] = len(kept)
			kept = append(kept, p)
		default:
			delete(g.where, p)
			g.free(p, g.size[p])
		}
	}
	g.arena = kept
}

func (g *gpuBackend) workspace(n int) uintptr {
	if n <= g.wsN || g.err != nil {
		return g.ws
	}
	if g.ws != 0 {
		// Queued work may still read the old buffer.
		g.fail(g.drv.sync())
		g.drv.mfree(g.ws)
		delete(g.size, g.ws)
		g.held -= int64(g.wsN) * 4
		g.ws, g.wsN = 0, 0
	}
	if p := g.raw(n); p != 0 {
		g.ws, g.wsN = p, n
	}
	return g.ws
}

func (g *gpuBackend) peak() int64 { return g.most }

func (g *gpuBackend) sync() error {
	if g.err == nil {
		g.fail(g.drv.sync())
	}
	return g.err
}

func (g *gpuBackend) close() error {
	if g.closed {
		return g.err
	}
	g.closed = true
	err := g.sync()
	for p := range g.size {
		g.drv.mfree(p)
	}
	clear(g.size)
	clear(g.pool)
	g.drv.close()
	runtime.UnlockOSThread()
	return err
}

func (g *gpuBackend) upload(dst uintptr, src []float32) {
	if g.err == nil && len(src) > 0 {
		g.fail(g.drv.htod(dst, unsafe.Pointer(&src[0]), int64(len(src))*4))
	}
}

func (g *gpuBackend) download(dst []float32, src uintptr) {
	if g.err == nil && len(dst) > 0 {
		g.fail(g.drv.dtoh(unsafe.Pointer(&dst[0]), src, int64(len(dst))*4))
	}
	if g.err != nil {
		clear(dst)
	}
}

func (g *gpuBackend) copy(dst, src uintptr, n int) {
	if g.err == nil && n > 0 {
		g.fail(g.drv.dtod(dst, src, int64(n)*4))
	}
}

func (g *gpuBackend) zero(p uintptr, n int) {
	if g.err == nil && n > 0 {
		g.fail(g.drv.memset0(p, int64(n)*4))
	}
}

// launch packs the arguments, device addresses (uintptr), sizes (int) and
// scalars (float32), and runs the kernel.
func (g *gpuBackend) launch(name string, blocks int, args ...any) {
	if g.err != nil || blocks == 0 {
		return
	}
	vals := make([]uint64, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case uintptr:
			vals[i] = uint64(v)
		case int:
			if v > math.MaxInt32 || v < math.MinInt32 {
				g.fail(fmt.Errorf("kernel %s: size %d does not fit its int parameter", name, v))
				return
			}
			vals[i] = uint64(uint32(int32(v)))
		case float32:
			vals[i] = uint64(math.Float32bits(v))
		default:
			panic(fmt.Sprintf("nn: kernel argument of type %T", a))
		}
	}
	if err := g.drv.launch(name, blocks, vals); err != nil {
		g.fail(fmt.Errorf("kernel %s: %w", name, err))
	}
}

// grid returns the blocks for n elements with grid-stride loops.
func grid(n int) int { return min((n+gpuThreads-1)/gpuThreads, 1<<16) }

func (g *gpuBackend) gemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, c uintptr, ldc, sc, batch int) {
	if g.err != nil || m == 0 || n == 0 || batch == 0 {
		return
	}
	if err := g.drv.sgemm(tA, tB, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch); err != nil {
		g.fail(fmt.Errorf("sgemm %d×%d×%d (batch %d): %w", m, n, k, batch, err))
	}
}

func (g *gpuBackend) im2col(col, x uintptr, n, c, h, w, k int) {
	g.launch("im2col", grid(n*k*k*c*h*w), col, x, n, c, h, w, k)
}

func (g *gpuBackend) im2colT(col, x uintptr, n, c, h, w, k int) {
	g.launch("im2col_t", grid(n*k*k*c*h*w), col, x, n, c, h, w, k)
}

func (g *gpuBackend) batchTranspose(dst, src uintptr, n, c, hw int) {
	g.launch("batch_transpose", grid(n*c*hw), dst, src, n, c, hw)
}

func (g *gpuBackend) col2imT(x, col uintptr, n, c, h, w, k int) {
	g.launch("col2im_t", grid(n*c*h*w), x, col, n, c, h, w, k)
}

func (g *gpuBackend) col2im(x, col uintptr, n, c, h, w, k int) {
	g.launch("col2im", grid(n*c*h*w), x, col, n, c, h, w, k)
}

func (g *gpuBackend) leakyMul(dst, src, x uintptr, n int, slope float32) {
	g.launch("leaky_mul", grid(n), dst, src, x, n, slope)
}

func (g *gpuBackend) addBias(dst, src, b uintptr, n, c, hw int) {
	g.launch("add_bias", grid(n*c*hw), dst, src, b, n, c, hw)
}

func (g *gpuBackend) sumBias(db, dy uintptr, n, c, hw int) {
	p := min(max(n*hw/8192, 1), 256) // chunks a channel
	part := g.temp(2 * c * p)        // c·p doubles
	g.launch("sum_bias_partial", c*p, part, dy, n, c, hw, p)
	g.launch("sum_bias_final", grid(c), db, part, c, p)
	g.free(part, 2*c*p)
}

func (g *gpuBackend) upscale(dst, src uintptr, nc, h, w, f int, alpha float32) {
	g.launch("upscale", grid(nc*h*w*f*f), dst, src, nc, h, w, f, alpha)
}

func (g *gpuBackend) downscale(dst, src uintptr, nc, h, w, f int, alpha float32) {
	g.launch("downscale", grid(nc*(h/f)*(w/f)), dst, src, nc, h, w, f, alpha)
}

func (g *gpuBackend) lerp(dst, a, b uintptr, n int, t float32) {
	g.launch("lerp", grid(n), dst, a, b, n, t)
}

func (g *gpuBackend) scale(dst, src uintptr, n int, alpha float32) {
	g.launch("scale", grid(n), dst, src, n, alpha)
}

func (g *gpuBackend) add(dst, src uintptr, n int) { g.launch("add", grid(n), dst, src, n) }

func (g *gpuBackend) pixelNorm(y, x uintptr, n, c, hw int, eps float32) {
	g.launch("pixel_norm", grid(n*hw), y, x, n, c, hw, eps)
}

func (g *gpuBackend) pixelNormBackward(dx, dy, x uintptr, n, c, hw int, eps float32) {
	g.launch("pixel_norm_backward", grid(n*hw), dx, dy, x, n, c, hw, eps)
}

func (g *gpuBackend) mbstd(stat, tstat, x, tx uintptr, n, gs, k int) {
	g.launch("mbstd", n/gs, stat, tstat, x, tx, n, gs, k)
}

func (g *gpuBackend) mbstdBackward(dx, dtx, x, tx, dstat, dtstat uintptr, n, gs, k int) {
	g.launch("mbstd_backward", grid(n/gs*k), dx, dtx, x, tx, dstat, dtstat, n, gs, k)
}

func (g *gpuBackend) appendChannel(dst, src, stat uintptr, n, c, hw, m int) {
	g.launch("append_channel", grid(n*(c+1)*hw), dst, src, stat, n, c, hw, m)
}

func (g *gpuBackend) splitChannel(dst, stat, src uintptr, n, c, hw, m int) {
	g.launch("split_channel", grid(n*c*hw), dst, src, n, c, hw)
	g.launch("split_stat", m, stat, src, n, c, hw, m)
}

func (g *gpuBackend) adamUpdate(theta, m, v, gr uintptr, n int, alpha, c1, c2, eps float32) {
	g.launch("adam_update", grid(n), theta, m, v, gr, n, alpha, c1, c2, eps)
}

func (g *gpuBackend) allFinite(ps []uintptr, ns []int) bool {
	g.zero(g.flag, 1)
	for i, p := range ps {
		g.launch("all_finite", grid(ns[i]), g.flag, p, ns[i])
	}
	var flag [1]float32 // the int's bits
	g.download(flag[:], g.flag)
	return g.err == nil && math.Float32bits(flag[0]) == 0
}

func (g *gpuBackend) rowSqNorms(x uintptr, n, k int) []float64 {
	out := make([]float64, n)
	buf := g.temp(2 * n)
	g.launch("row_sq_norm", n, buf, x, n, k)
	if g.err == nil && n > 0 {
		g.fail(g.drv.dtoh(unsafe.Pointer(&out[0]), buf, int64(n)*8))
	}
	g.free(buf, 2*n)
	if g.err != nil {
		clear(out)
	}
	return out
}

func (g *gpuBackend) scaleRows(dst, src uintptr, n, k int, s []float32) {
	buf := g.temp(n)
	g.upload(buf, s)
	g.launch("scale_rows", grid(n*k), dst, src, buf, n, k)
	g.free(buf, n)
}

func (g *gpuBackend) mixRows(dst, a, b uintptr, n, k int, u []float32) {
	buf := g.temp(n)
	g.upload(buf, u)
	g.launch("mix_rows", grid(n*k), dst, a, b, buf, n, k)
	g.free(buf, n)
}
