//go:build !purego

package sgemm

import "golang.org/x/sys/cpu"

var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernAsm is the AVX2/FMA micro-kernel (kernel_amd64.s).
//
//go:noescape
func kernAsm(k int, a, b, c *float32, ldc int)

// kernAsmStrided is kernAsm reading Â in place, element (i, p) at
// a[i·rs + p·ks].
//
//go:noescape
func kernAsmStrided(k int, a *float32, rs, ks int, b, c *float32, ldc int)
