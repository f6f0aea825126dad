//go:build cuda

package nn

// The CUDA driver of the GPU backend: the kernels of cuda/kernels.cu
// (compiled to PTX, which the driver compiles for the GPU at load),
// matrix products through cuBLAS. Driver calls go through
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
#cgo CFLAGS: -I${SRCDIR}/cuda
#include <cublas_v2.h>

#define HANDLE_T cublasHandle_t
#define OP_N CUBLAS_OP_N
#define OP_T CUBLAS_OP_T
#define SGEMM cublasSgemm
#define SGEMM_STRIDED cublasSgemmStridedBatched
#include "sgemm.h"

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
	"runtime"
	"sync"
	"unsafe"

	"gorgonia.org/cu"
)

//go:embed cuda/kernels.ptx
var kernelsPTX string

// The device's primary context, retained once for the life of the
// process: cuBLAS works through the CUDA runtime, which binds to this
// context and would be left with a destroyed one if a Close released the
// last reference and a later OpenCUDA made a new one.
var (
	primaryOnce sync.Once
	primaryCtx  cu.CUContext
	primaryErr  error
)

type cudaDriver struct {
	dev  cu.Device
	ctx  cu.CUContext
	mod  cu.Module
	fn   map[string]cu.Function
	blas C.cublasHandle_t
}

// OpenCUDA opens the first CUDA GPU (the one CUDA_VISIBLE_DEVICES lists
// first) and locks the calling goroutine to its OS thread, where the GPU's
// context is current, until Close.
func OpenCUDA() (*Device, error) {
	runtime.LockOSThread()
	drv, name, mem, err := openDriver()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("cuda: %w", err)
	}
	return newGPU(drv, name, mem)
}

func openDriver() (*cudaDriver, string, int64, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, "", 0, err
	}
	if n == 0 {
		return nil, "", 0, errors.New("no CUDA device")
	}
	c := &cudaDriver{fn: map[string]cu.Function{}}
	if c.dev, err = cu.GetDevice(0); err != nil {
		return nil, "", 0, err
	}
	name, err := c.dev.Name()
	if err != nil {
		return nil, "", 0, err
	}
	mem, err := c.dev.TotalMem()
	if err != nil {
		return nil, "", 0, err
	}
	primaryOnce.Do(func() { primaryCtx, primaryErr = c.dev.RetainPrimaryCtx() })
	if primaryErr != nil {
		return nil, "", 0, primaryErr
	}
	c.ctx = primaryCtx
	fail := func(err error) (*cudaDriver, string, int64, error) { return nil, "", 0, err }
	if err := cu.SetCurrentContext(c.ctx); err != nil {
		return fail(err)
	}
	if c.mod, err = cu.LoadData(kernelsPTX); err != nil {
		return fail(fmt.Errorf("loading the kernels: %w", err))
	}
	for _, k := range kernelNames {
		if c.fn[k], err = c.mod.Function(k); err != nil {
			c.mod.Unload()
			return fail(fmt.Errorf("kernel %s: %w", k, err))
		}
	}
	if s := C.progan_blas_create(&c.blas); s != 0 {
		c.mod.Unload()
		return fail(fmt.Errorf("cublasCreate: status %d", int(s)))
	}
	return c, name, mem, nil
}

func (c *cudaDriver) malloc(bytes int64) (uintptr, error) {
	p, err := cu.MemAlloc(bytes)
	return uintptr(p), err
}

func (c *cudaDriver) mfree(p uintptr) { cu.MemFree(cu.DevicePtr(p)) }

func (c *cudaDriver) htod(dst uintptr, src unsafe.Pointer, bytes int64) error {
	return cu.MemcpyHtoD(cu.DevicePtr(dst), src, bytes)
}

func (c *cudaDriver) dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error {
	return cu.MemcpyDtoH(dst, cu.DevicePtr(src), bytes)
}

func (c *cudaDriver) dtod(dst, src uintptr, bytes int64) error {
	return cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), bytes, cu.NoStream)
}

func (c *cudaDriver) memset0(p uintptr, bytes int64) error {
	return cu.MemsetD32Async(cu.DevicePtr(p), 0, bytes/4, cu.NoStream)
}

func (c *cudaDriver) launch(name string, blocks int, args []uint64) error {
	params := make([]unsafe.Pointer, len(args))
	for i := range args {
		params[i] = unsafe.Pointer(&args[i])
	}
	return c.fn[name].Launch(blocks, 1, 1, gpuThreads, 1, 1, 0, cu.NoStream, params)
}

func (c *cudaDriver) sgemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, cp uintptr, ldc, sc, batch int) error {
	s := C.progan_sgemm(c.blas, cbool(tA), cbool(tB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.ulonglong(a), C.int(lda), C.longlong(sa), C.ulonglong(b), C.int(ldb), C.longlong(sb),
		C.float(beta), C.ulonglong(cp), C.int(ldc), C.longlong(sc), C.int(batch))
	if s != 0 {
		return fmt.Errorf("cuBLAS status %d", int(s))
	}
	return nil
}

func cbool(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

func (c *cudaDriver) sync() error { return cu.Synchronize() }

func (c *cudaDriver) close() {
	C.progan_blas_destroy(c.blas)
	c.mod.Unload()
}
