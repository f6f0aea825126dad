//go:build !amd64 || purego

package sgemm

// asmImpls lists no assembly kernels: only kernGo runs here.
func asmImpls() []*impl { return nil }
