//go:build !purego

package sgemm

//go:generate go run gen_avx512.go

import "golang.org/x/sys/cpu"

var (
	implAVX2   = &impl{name: "avx2", mr: 6, nr: 16, mc: 120, kern: kernAsm, strided: kernAsmStrided, asm: true}
	implAVX512 = &impl{name: "avx512", mr: 6, nr: 64, mc: 120, kern: kernAVX512, strided: kernAVX512Strided, asm: true}
)

// asmImpls lists the assembly kernels the CPU and OS support, best first.
// cpu.X86.HasAVX512F includes the OS's saving of the zmm state.
func asmImpls() []*impl {
	var l []*impl
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		l = append(l, implAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		l = append(l, implAVX2)
	}
	return l
}

// kernAsm is the AVX2/FMA micro-kernel (kernel_amd64.s).
//
//go:noescape
func kernAsm(k int, a, b, c *float32, ldc int)

// kernAsmStrided is kernAsm reading Â in place, element (i, p) at
// a[i·rs + p·ks].
//
//go:noescape
func kernAsmStrided(k int, a *float32, rs, ks int, b, c *float32, ldc int)

// kernAVX512 is the AVX-512 micro-kernel, 6×64 (kernel_avx512_amd64.s,
// written by gen_avx512.go).
//
//go:noescape
func kernAVX512(k int, a, b, c *float32, ldc int)

// kernAVX512Strided is kernAVX512 reading Â in place, element (i, p) at
// a[i·rs + p·ks].
//
//go:noescape
func kernAVX512Strided(k int, a *float32, rs, ks int, b, c *float32, ldc int)
