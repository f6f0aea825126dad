package pillow

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestQuadFastMatchesPortable warps random images with random quads (some
// reaching outside the source, some rotated or flipped, with small sources
// where the edge cases dominate) with and without the AVX2 kernel.
func TestQuadFastMatchesPortable(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 kernel in this build or on this CPU")
	}
	defer setAVX2(true)
	r := rand.New(rand.NewPCG(7, 8))
	for it := range 300 {
		w, h := 1+r.IntN(40), 1+r.IntN(40)
		if it%10 == 0 {
			w, h = 200+r.IntN(100), 200+r.IntN(100)
		}
		ch := 3
		if it%7 == 3 {
			ch = 1
		}
		src := noise(w, h, ch, uint64(it))
		var q [8]float32
		for i := range q {
			lim := float32(w)
			if i%2 == 1 {
				lim = float32(h)
			}
			q[i] = (r.Float32()*1.4 - 0.2) * lim
		}
		ow, oh := 1+r.IntN(90), 1+r.IntN(90)
		setAVX2(false)
		want := Quad(src, ow, oh, q)
		setAVX2(true)
		got := Quad(src, ow, oh, q)
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("case %d: %dx%dx%d → %dx%d, quad %v: AVX2 and portable warps differ", it, w, h, ch, ow, oh, q)
		}
	}
}
