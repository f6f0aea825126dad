package pillow

import (
	"math/rand/v2"
	"testing"
)

// noise returns a w×h image of uniformly random samples.
func noise(w, h, channels int, seed uint64) *Image {
	m := New(w, h, channels)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.Uint32())
	}
	return m
}

func benchResize(b *testing.B, w, h, ch, ow, oh int) {
	src := noise(w, h, ch, 1)
	Resize(src, ow, oh) // fill the weight cache
	b.SetBytes(int64(len(src.Pix)))
	b.ResetTimer()
	for b.Loop() {
		Resize(src, ow, oh)
	}
}

// The CelebA-HQ final step: 4096² → 1024², RGB.
func BenchmarkResize4096to1024RGB(b *testing.B) { benchResize(b, 4096, 4096, 3, 1024, 1024) }

// CelebA-HQ superres stand-in (case "typical"): 209×210 → 1672×1680.
func BenchmarkResize209to1672RGB(b *testing.B) { benchResize(b, 209, 210, 3, 1672, 1680) }

// LSUN at --resolution 64: a 256² centre crop → 64².
func BenchmarkResize256to64RGB(b *testing.B) { benchResize(b, 256, 256, 3, 64, 64) }

// LSUN at --resolution 256 with a short side above 256.
func BenchmarkResize342to256RGB(b *testing.B) { benchResize(b, 342, 342, 3, 256, 256) }

// A 342×256 frame straight to 256×256: a 342 → 256 row pass and a
// 256 → 256 column pass.
func BenchmarkResize342x256to256RGB(b *testing.B) { benchResize(b, 342, 256, 3, 256, 256) }

// LSUN at --resolution 256 with a short side below 256 (upscaling).
func BenchmarkResize180to256RGB(b *testing.B) { benchResize(b, 180, 180, 3, 256, 256) }

func BenchmarkResize4096to1024Gray(b *testing.B) { benchResize(b, 4096, 4096, 1, 1024, 1024) }

// The CelebA-HQ warp of case "plain": a 1207×1213 source to 4096².
func BenchmarkQuad4096RGB(b *testing.B) {
	src := noise(1207, 1213, 3, 2)
	q := [8]float32{93.21088, 52.04193, 48.79193, 1117.0391, 1113.7891, 1161.458, 1158.208, 96.46088}
	b.ResetTimer()
	for b.Loop() {
		Quad(src, 4096, 4096, q)
	}
}

// Building the weights for 4096 → 1024 (what the cache saves).
func BenchmarkCoeffs4096to1024(b *testing.B) {
	for b.Loop() {
		computeCoeffs(4096, 1024)
	}
}

// The warp of case "rotated_prog": a 2484² source, rotated 45°.
func BenchmarkQuad4096RGBRotated(b *testing.B) {
	src := noise(2484, 2484, 3, 3)
	q := [8]float32{899.2766, 162.06488, 161.86481, 1586.3232, 1586.1232, 2323.7351, 2323.5352, 899.4768}
	for b.Loop() {
		Quad(src, 4096, 4096, q)
	}
}

// The warp of case "closeup_shrink2": the padded 2647×2648 source.
func BenchmarkQuad4096RGBPadded(b *testing.B) {
	src := noise(2647, 2648, 3, 4)
	q := [8]float32{299.1084, 215.33398, 214.65894, 2349.2666, 2348.5916, 2433.716, 2433.041, 299.78345}
	for b.Loop() {
		Quad(src, 4096, 4096, q)
	}
}
