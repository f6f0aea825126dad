//go:build cudaemu && !cuda

package nn

// The cudaemu build: the GPU backend over an emulated driver (emu.cc)
// that runs cuda/kernels.cu on the CPU. It exists for tests: with
//
//	go test -tags cudaemu ./trainer/internal/nn ./trainer
//
// every CUDA test runs without a GPU, checking the kernels, the argument
// packing, the memory pool and the device placement of the trainer. It
// is far slower than the pure-Go kernels.
//
// With PROGAN_EMU_DRY=1 it allocates (untouched, so lazily mapped) but
// computes and copies nothing: the trainer's GPU memory accounting
// (Device.PeakMemory) at sizes the emulator cannot compute, such as a
// step at 1024², in seconds.

/*
#cgo CXXFLAGS: -O2 -std=c++17
#include <stdlib.h>
int emu_launch(const char *name, int blocks, const unsigned long long *a);
int emu_sgemm_rowmajor(int tA, int tB, int m, int n, int k, float alpha, unsigned long long a, int lda,
	long long sa, unsigned long long b, int ldb, long long sb, float beta, unsigned long long c, int ldc,
	long long sc, int batch);
unsigned long long emu_malloc(long long bytes, int poison);
void emu_free(unsigned long long p);
void emu_htod(unsigned long long dst, const void *src, long long n);
void emu_dtoh(void *dst, unsigned long long src, long long n);
void emu_dtod(unsigned long long dst, unsigned long long src, long long n);
void emu_zero(unsigned long long p, long long n);
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"unsafe"
)

type emuDriver struct {
	names map[string]*C.char
	dry   bool
}

// OpenCUDA opens the emulated GPU.
func OpenCUDA() (*Device, error) {
	runtime.LockOSThread()
	e := &emuDriver{names: map[string]*C.char{}, dry: os.Getenv("PROGAN_EMU_DRY") == "1"}
	for _, k := range kernelNames {
		e.names[k] = C.CString(k)
	}
	return newGPU(e, "CUDA emulator (kernels.cu on the CPU)", 1<<30)
}

func (e *emuDriver) malloc(bytes int64) (uintptr, error) {
	p := uintptr(C.emu_malloc(C.longlong(bytes), cint(!e.dry)))
	if p == 0 {
		return 0, errors.New("out of memory")
	}
	return p, nil
}

func (e *emuDriver) mfree(p uintptr) { C.emu_free(C.ulonglong(p)) }

func (e *emuDriver) htod(dst uintptr, src unsafe.Pointer, bytes int64) error {
	if e.dry {
		return nil
	}
	C.emu_htod(C.ulonglong(dst), src, C.longlong(bytes))
	return nil
}

func (e *emuDriver) dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error {
	if e.dry {
		return nil
	}
	C.emu_dtoh(dst, C.ulonglong(src), C.longlong(bytes))
	return nil
}

func (e *emuDriver) dtod(dst, src uintptr, bytes int64) error {
	if e.dry {
		return nil
	}
	C.emu_dtod(C.ulonglong(dst), C.ulonglong(src), C.longlong(bytes))
	return nil
}

func (e *emuDriver) memset0(p uintptr, bytes int64) error {
	if e.dry {
		return nil
	}
	C.emu_zero(C.ulonglong(p), C.longlong(bytes))
	return nil
}

func (e *emuDriver) launch(name string, blocks int, args []uint64) error {
	cn, ok := e.names[name]
	if !ok {
		return fmt.Errorf("no kernel %s", name)
	}
	if e.dry {
		return nil
	}
	if C.emu_launch(cn, C.int(blocks), (*C.ulonglong)(unsafe.Pointer(&args[0]))) != 0 {
		return fmt.Errorf("no kernel %s in the emulator", name)
	}
	return nil
}

func (e *emuDriver) sgemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, c uintptr, ldc, sc, batch int) error {
	if e.dry {
		return nil
	}
	C.emu_sgemm_rowmajor(cint(tA), cint(tB), C.int(m), C.int(n), C.int(k), C.float(alpha), C.ulonglong(a), C.int(lda),
		C.longlong(sa), C.ulonglong(b), C.int(ldb), C.longlong(sb), C.float(beta), C.ulonglong(c), C.int(ldc),
		C.longlong(sc), C.int(batch))
	return nil
}

func cint(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

func (e *emuDriver) sync() error { return nil }

func (e *emuDriver) close() {
	for _, c := range e.names {
		C.free(unsafe.Pointer(c))
	}
}
