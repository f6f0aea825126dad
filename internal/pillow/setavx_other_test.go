//go:build !amd64 || purego

package pillow

func setAVX2(bool) {}
