//go:build !amd64

package swd

var useAVX2 = false

func panelsHalfFast(dst []float32, ldc int, src []uint16, npanel int, fixed bool, tiles []float32, ndirs int) {
	panic("swd: no fast kernel on this architecture")
}

func panelsFloatFast(dst []float32, ldc int, src []float32, npanel int, tiles []float32, ndirs int) {
	panic("swd: no fast kernel on this architecture")
}

func toHalfs(dst []uint16, src []float32) { toHalfsPortable(dst, src) }

func blurDownU8(dst []float32, src []byte, n int, v []uint16) bool { return false }
