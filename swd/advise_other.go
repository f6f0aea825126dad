//go:build !linux

package swd

import "unsafe"

func advise(p unsafe.Pointer, n int) {}

// mapMemory allocates on the Go heap where no mapping is used.
func mapMemory(n int) ([]byte, bool) { return make([]byte, n), false }

func unmapMemory(b []byte) {}
