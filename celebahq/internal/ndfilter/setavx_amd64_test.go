//go:build amd64 && !purego

package ndfilter

import "golang.org/x/sys/cpu"

// setAVX2 turns the fast kernels on (the best the CPU has) or off.
func setAVX2(on bool) {
	useAVX2 = on && cpu.X86.HasAVX2
	useAVX512 = useAVX2 && cpu.X86.HasAVX512F
}

// setAVX512 turns the AVX-512 kernels off, leaving the AVX2 ones, or back
// on where the CPU has them.
func setAVX512(on bool) { useAVX512 = on && useAVX2 && cpu.X86.HasAVX512F }
