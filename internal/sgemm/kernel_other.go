//go:build !amd64 || purego

package sgemm

const hasAsm = false

func kernAsm(k int, a, b, c *float32, ldc int) { panic("sgemm: no assembly kernel") }

func kernAsmStrided(k int, a *float32, rs, ks int, b, c *float32, ldc int) {
	panic("sgemm: no assembly kernel")
}
