package swd

import (
	"runtime"
	"unsafe"
)

// hugePage is the transparent huge page size of x86-64 and arm64 Linux.
const hugePage = 2 << 20

// makeAligned returns n zeroed T (of size bytes each) on the Go heap,
// starting at a 2 MiB boundary when the buffer is large, advised (on
// Linux) to be backed by huge pages: the projections and sort buffers are
// written soon after they are allocated, and on virtual machines
// first-touch page faults cost microseconds per 4 KiB page.
func makeAligned[T any](n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if n*size < 2*hugePage {
		return make([]T, n)
	}
	b := make([]T, n+hugePage/size)
	p := uintptr(unsafe.Pointer(&b[0]))
	o := int((p+hugePage-1)&^(hugePage-1)-p) / size
	b = b[o : o+n : o+n]
	advise(unsafe.Pointer(&b[0]), (n*size)&^(hugePage-1))
	return b
}

// A mapping is memory for descriptors outside the Go heap where the
// system allows (anonymous mmap on Linux, huge pages advised), released
// when the mapping becomes unreachable. Descriptors are most of the
// memory and live long: on the Go heap they would raise the collector's
// target with them (GOGC=100: up to twice the live heap), letting the
// garbage of decoded images grow as large as the descriptors themselves.
// Whoever uses memory of a mapping must keep the mapping reachable
// meanwhile (runtime.KeepAlive).
type mapping struct {
	mem     []byte
	mapped  bool
	cleanup runtime.Cleanup
}

func newMapping(n int) *mapping {
	mem, mapped := mapMemory(n)
	m := &mapping{mem: mem, mapped: mapped}
	if mapped {
		m.cleanup = runtime.AddCleanup(m, unmapMemory, mem)
	}
	return m
}

// release frees the memory now; the mapping must not be used afterwards.
func (m *mapping) release() {
	if m.mapped {
		m.cleanup.Stop()
		unmapMemory(m.mem)
	}
	m.mem, m.mapped = nil, false
}

// mappedSlice returns the mapping's memory as n values of T.
func mappedSlice[T any](m *mapping, n int) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(&m.mem[0])), n)
}
