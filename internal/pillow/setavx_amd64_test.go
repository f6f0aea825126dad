//go:build amd64 && !purego

package pillow

import "golang.org/x/sys/cpu"

// setAVX2 turns the AVX2 kernels on (where the CPU has them) or off.
func setAVX2(on bool) { useAVX2 = on && cpu.X86.HasAVX2 }
