//go:build !amd64 || purego

package ndfilter

func setAVX2(bool)   {}
func setAVX512(bool) {}
