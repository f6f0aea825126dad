package swd

import (
	"syscall"
	"unsafe"
)

// advise asks for transparent huge pages over n bytes at p, best effort:
// where THP is off or the call fails, nothing changes.
func advise(p unsafe.Pointer, n int) {
	_ = syscall.Madvise(unsafe.Slice((*byte)(p), n), syscall.MADV_HUGEPAGE)
}

// mapMemory returns n zeroed bytes of anonymous memory outside the Go
// heap, or from the Go heap (mapped false) if the mapping fails.
func mapMemory(n int) (b []byte, mapped bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), false
	}
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	return b, true
}

func unmapMemory(b []byte) { _ = syscall.Munmap(b) }
