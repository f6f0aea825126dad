//go:build cuda

package nn

// The CUDA backend: the kernels of cuda/kernels.cu (compiled to PTX, which
// the driver compiles for the GPU at load), matrix products through
// cuBLAS, device memory from a pool. Driver calls go through
// gorgonia.org/cu; cuBLAS through the small cgo shim below, because
// gorgonia.org/cu/blas takes Go slices rather than device addresses and
// has neither strided-batched products nor a way to pick the math mode.
//
// Everything runs in order on the legacy default stream, so the host
// blocks only where it reads results (losses, norms, the finite check) and
// a buffer returned to the pool can be reused by the next operation.

//go:generate nvcc -ptx -arch=compute_80 -fmad=false -o cuda/kernels.ptx cuda/kernels.cu

/*
#cgo LDFLAGS: -lcublas
#include <cublas_v2.h>

// Row-major C (m×n) = alpha·op(A)·op(B) + beta·C is column-major
// Cᵀ = alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ: swap the operands and the sizes.
static int progan_sgemm(cublasHandle_t h, int tA, int tB, int m, int n, int k, float alpha,
		unsigned long long a, int lda, long long sa, unsigned long long b, int ldb, long long sb,
		float beta, unsigned long long c, int ldc, long long sc, int batch) {
	cublasOperation_t opA = tA ? CUBLAS_OP_T : CUBLAS_OP_N, opB = tB ? CUBLAS_OP_T : CUBLAS_OP_N;
	if (batch == 1)
		return cublasSgemm(h, opB, opA, n, m, k, &alpha, (const float *)b, ldb, (const float *)a, lda,
			&beta, (float *)c, ldc);
	return cublasSgemmStridedBatched(h, opB, opA, n, m, k, &alpha, (const float *)b, ldb, sb,
		(const float *)a, lda, sa, &beta, (float *)c, ldc, sc, batch);
}

static int progan_blas_create(cublasHandle_t *h) {
	int s = cublasCreate(h);
	if (s != 0) return s;
	// FP32 products without TF32 tensor cores: the trainer is exact FP32.
	return cublasSetMathMode(*h, CUBLAS_DEFAULT_MATH);
}

static int progan_blas_destroy(cublasHandle_t h) { return cublasDestroy(h); }
*/
import "C"

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"runtime"
	"unsafe"

	"gorgonia.org/cu"
)

// CUDAAvailable reports whether this build has the CUDA backend.
const CUDAAvailable = true

//go:embed cuda/kernels.ptx
var kernelsPTX string

var kernelNames = []string{
	"im2col", "col2im", "leaky_mul", "add_bias", "sum_bias", "upscale", "downscale", "lerp", "scale", "add",
	"pixel_norm", "pixel_norm_backward", "mbstd", "mbstd_backward", "append_channel", "split_channel", "split_stat",
	"adam_update", "all_finite", "row_sq_norm", "scale_rows", "mix_rows",
}

type cudaBackend struct {
	dev  cu.Device
	ctx  cu.CUContext
	mod  cu.Module
	fn   map[string]cu.Function
	blas C.cublasHandle_t
	err  error

	pool        map[int][]uintptr // free buffers by size in values
	size        map[uintptr]int   // every buffer held, by address
	arena       []uintptr         // tensors since the arena's start, in order
	held, peak_ int64             // bytes held (in use and pooled), and the most
	flag        uintptr           // one int for all_finite
	closed      bool
}

// OpenCUDA opens the first CUDA GPU (the one CUDA_VISIBLE_DEVICES lists
// first) and locks the calling goroutine to its OS thread, where the GPU's
// context is current, until Close.
func OpenCUDA() (*Device, error) {
	runtime.LockOSThread()
	d, err := openCUDA()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("cuda: %w", err)
	}
	return d, nil
}

func openCUDA() (*Device, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("no CUDA device")
	}
	c := &cudaBackend{fn: map[string]cu.Function{}, pool: map[int][]uintptr{}, size: map[uintptr]int{}}
	if c.dev, err = cu.GetDevice(0); err != nil {
		return nil, err
	}
	name, err := c.dev.Name()
	if err != nil {
		return nil, err
	}
	mem, err := c.dev.TotalMem()
	if err != nil {
		return nil, err
	}
	if c.ctx, err = c.dev.RetainPrimaryCtx(); err != nil {
		return nil, err
	}
	if err := cu.SetCurrentContext(c.ctx); err != nil {
		c.dev.ReleasePrimaryCtx()
		return nil, err
	}
	if c.mod, err = cu.LoadData(kernelsPTX); err != nil {
		c.dev.ReleasePrimaryCtx()
		return nil, fmt.Errorf("loading the kernels: %w", err)
	}
	for _, k := range kernelNames {
		if c.fn[k], err = c.mod.Function(k); err != nil {
			c.dev.ReleasePrimaryCtx()
			return nil, fmt.Errorf("kernel %s: %w", k, err)
		}
	}
	if s := C.progan_blas_create(&c.blas); s != 0 {
		c.dev.ReleasePrimaryCtx()
		return nil, fmt.Errorf("cublasCreate: status %d", int(s))
	}
	c.flag = c.persistent(1)
	if c.err != nil {
		c.close()
		return nil, c.err
	}
	return &Device{b: c, name: name, memory: mem}, nil
}

func (c *cudaBackend) fail(err error) {
	if c.err == nil && err != nil {
		c.err = err
	}
}

// raw returns a buffer of n values from the pool or the driver; a failed
// allocation empties the pool and tries once more.
func (c *cudaBackend) raw(n int) uintptr {
	if c.err != nil {
		return 0
	}
	n = max(n, 1)
	if l := c.pool[n]; len(l) > 0 {
		p := l[len(l)-1]
		c.pool[n] = l[:len(l)-1]
		return p
	}
	p, err := cu.MemAlloc(int64(n) * 4)
	if err != nil {
		c.trim()
		if p, err = cu.MemAlloc(int64(n) * 4); err != nil {
			c.fail(fmt.Errorf("allocating %d MiB of GPU memory (%d MiB held): %w", int64(n)*4>>20, c.held>>20, err))
			return 0
		}
	}
	c.size[uintptr(p)] = n
	c.held += int64(n) * 4
	c.peak_ = max(c.peak_, c.held)
	return uintptr(p)
}

// trim returns the pooled buffers to the driver.
func (c *cudaBackend) trim() {
	cu.Synchronize()
	for n, l := range c.pool {
		for _, p := range l {
			cu.MemFree(cu.DevicePtr(p))
			delete(c.size, p)
			c.held -= int64(n) * 4
		}
	}
	clear(c.pool)
}

func (c *cudaBackend) alloc(n int) uintptr {
	p := c.raw(n)
	if p != 0 {
		c.zero(p, n)
		c.arena = append(c.arena, p)
	}
	return p
}

func (c *cudaBackend) temp(n int) uintptr { return c.raw(n) }

func (c *cudaBackend) persistent(n int) uintptr {
	p := c.raw(n)
	if p != 0 {
		c.zero(p, n)
	}
	return p
}

func (c *cudaBackend) free(p uintptr, n int) {
	if p == 0 {
		return
	}
	n = max(n, 1)
	c.pool[n] = append(c.pool[n], p)
}

func (c *cudaBackend) mark() int { return len(c.arena) }

func (c *cudaBackend) release(mark int) {
	for _, p := range c.arena[mark:] {
		c.free(p, c.size[p])
	}
	c.arena = c.arena[:mark]
}

func (c *cudaBackend) peak() int64 { return c.peak_ }

func (c *cudaBackend) sync() error {
	if c.err == nil {
		c.fail(cu.Synchronize())
	}
	return c.err
}

func (c *cudaBackend) close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	err := c.sync()
	for p := range c.size {
		cu.MemFree(cu.DevicePtr(p))
	}
	clear(c.size)
	clear(c.pool)
	C.progan_blas_destroy(c.blas)
	c.dev.ReleasePrimaryCtx()
	runtime.UnlockOSThread()
	return err
}

func (c *cudaBackend) upload(dst uintptr, src []float32) {
	if c.err == nil && len(src) > 0 {
		c.fail(cu.MemcpyHtoD(cu.DevicePtr(dst), unsafe.Pointer(&src[0]), int64(len(src))*4))
	}
}

func (c *cudaBackend) download(dst []float32, src uintptr) {
	if c.err == nil && len(dst) > 0 {
		c.fail(cu.MemcpyDtoH(unsafe.Pointer(&dst[0]), cu.DevicePtr(src), int64(len(dst))*4))
	}
	if c.err != nil {
		clear(dst)
	}
}

func (c *cudaBackend) copy(dst, src uintptr, n int) {
	if c.err == nil && n > 0 {
		c.fail(cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), int64(n)*4, cu.NoStream))
	}
}

func (c *cudaBackend) zero(p uintptr, n int) {
	if c.err == nil && n > 0 {
		c.fail(cu.MemsetD32Async(cu.DevicePtr(p), 0, int64(n), cu.NoStream))
	}
}

const threads = 256

// launch runs kernel name on blocks×threads threads. Arguments are device
// addresses (uintptr), sizes (int) and scalars (float32); each goes to the
// driver as 8 bytes whose low half is what a 4-byte parameter reads.
func (c *cudaBackend) launch(name string, blocks int, args ...any) {
	if c.err != nil || blocks == 0 {
		return
	}
	vals := make([]uint64, len(args))
	params := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case uintptr:
			vals[i] = uint64(v)
		case int:
			if v > math.MaxInt32 || v < math.MinInt32 {
				c.fail(fmt.Errorf("kernel %s: size %d does not fit its int parameter", name, v))
				return
			}
			vals[i] = uint64(uint32(int32(v)))
		case float32:
			vals[i] = uint64(math.Float32bits(v))
		default:
			panic(fmt.Sprintf("nn: kernel argument of type %T", a))
		}
		params[i] = unsafe.Pointer(&vals[i])
	}
	c.fail(c.fn[name].Launch(blocks, 1, 1, threads, 1, 1, 0, cu.NoStream, params))
}

// grid returns the blocks for n elements with grid-stride loops.
func grid(n int) int { return min((n+threads-1)/threads, 1<<16) }

func (c *cudaBackend) gemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, cp uintptr, ldc, sc, batch int) {
	if c.err != nil || m == 0 || n == 0 || batch == 0 {
		return
	}
	b2i := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	s := C.progan_sgemm(c.blas, b2i(tA), b2i(tB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.ulonglong(a), C.int(lda), C.longlong(sa), C.ulonglong(b), C.int(ldb), C.longlong(sb),
		C.float(beta), C.ulonglong(cp), C.int(ldc), C.longlong(sc), C.int(batch))
	if s != 0 {
		c.fail(fmt.Errorf("cuBLAS sgemm %d×%d×%d (batch %d): status %d", m, n, k, batch, int(s)))
	}
}

func (c *cudaBackend) im2col(col, x uintptr, n, ch, h, w, k int) {
	c.launch("im2col", grid(n*k*k*ch*h*w), col, x, n, ch, h, w, k)
}

func (c *cudaBackend) col2im(x, col uintptr, n, ch, h, w, k int) {
	c.launch("col2im", grid(n*ch*h*w), x, col, n, ch, h, w, k)
}

func (c *cudaBackend) leakyMul(dst, src, x uintptr, n int, slope float32) {
	c.launch("leaky_mul", grid(n), dst, src, x, n, slope)
}

func (c *cudaBackend) addBias(dst, src, b uintptr, n, ch, hw int) {
	c.launch("add_bias", grid(n*ch*hw), dst, src, b, n, ch, hw)
}

func (c *cudaBackend) sumBias(db, dy uintptr, n, ch, hw int) {
	c.launch("sum_bias", ch, db, dy, n, ch, hw)
}

func (c *cudaBackend) upscale(dst, src uintptr, nc, h, w, f int, alpha float32) {
	c.launch("upscale", grid(nc*h*w*f*f), dst, src, nc, h, w, f, alpha)
}

func (c *cudaBackend) downscale(dst, src uintptr, nc, h, w, f int, alpha float32) {
	c.launch("downscale", grid(nc*(h/f)*(w/f)), dst, src, nc, h, w, f, alpha)
}

func (c *cudaBackend) lerp(dst, a, b uintptr, n int, t float32) {
	c.launch("lerp", grid(n), dst, a, b, n, t)
}

func (c *cudaBackend) scale(dst, src uintptr, n int, alpha float32) {
	c.launch("scale", grid(n), dst, src, n, alpha)
}

func (c *cudaBackend) add(dst, src uintptr, n int) { c.launch("add", grid(n), dst, src, n) }

func (c *cudaBackend) pixelNorm(y, x uintptr, n, ch, hw int, eps float32) {
	c.launch("pixel_norm", grid(n*hw), y, x, n, ch, hw, eps)
}

func (c *cudaBackend) pixelNormBackward(dx, dy, x uintptr, n, ch, hw int, eps float32) {
	c.launch("pixel_norm_backward", grid(n*hw), dx, dy, x, n, ch, hw, eps)
}

func (c *cudaBackend) mbstd(stat, tstat, x, tx uintptr, n, g, k int) {
	c.launch("mbstd", n/g, stat, tstat, x, tx, n, g, k)
}

func (c *cudaBackend) mbstdBackward(dx, dtx, x, tx, dstat, dtstat uintptr, n, g, k int) {
	c.launch("mbstd_backward", grid(n/g*k), dx, dtx, x, tx, dstat, dtstat, n, g, k)
}

func (c *cudaBackend) appendChannel(dst, src, stat uintptr, n, ch, hw, m int) {
	c.launch("append_channel", grid(n*(ch+1)*hw), dst, src, stat, n, ch, hw, m)
}

func (c *cudaBackend) splitChannel(dst, stat, src uintptr, n, ch, hw, m int) {
	c.launch("split_channel", grid(n*ch*hw), dst, src, n, ch, hw)
	c.launch("split_stat", m, stat, src, n, ch, hw, m)
}

func (c *cudaBackend) adamUpdate(theta, m, v, g uintptr, n int, alpha, c1, c2, eps float32) {
	c.launch("adam_update", grid(n), theta, m, v, g, n, alpha, c1, c2, eps)
}

func (c *cudaBackend) allFinite(ps []uintptr, ns []int) bool {
	c.zero(c.flag, 1)
	for i, p := range ps {
		c.launch("all_finite", grid(ns[i]), c.flag, p, ns[i])
	}
	var flag [1]float32 // the int's bits
	c.download(flag[:], c.flag)
	return c.err == nil && math.Float32bits(flag[0]) == 0
}

func (c *cudaBackend) rowSqNorms(x uintptr, n, k int) []float64 {
	out := make([]float64, n)
	buf := c.temp(2 * n)
	c.launch("row_sq_norm", n, buf, x, n, k)
	if c.err == nil && n > 0 {
		c.fail(cu.MemcpyDtoH(unsafe.Pointer(&out[0]), cu.DevicePtr(buf), int64(n)*8))
	}
	c.free(buf, 2*n)
	if c.err != nil {
		clear(out)
	}
	return out
}

func (c *cudaBackend) scaleRows(dst, src uintptr, n, k int, s []float32) {
	buf := c.temp(n)
	c.upload(buf, s)
	c.launch("scale_rows", grid(n*k), dst, src, buf, n, k)
	c.free(buf, n)
}

func (c *cudaBackend) mixRows(dst, a, b uintptr, n, k int, u []float32) {
	buf := c.temp(n)
	c.upload(buf, u)
	c.launch("mix_rows", grid(n*k), dst, a, b, buf, n, k)
	c.free(buf, n)
}
