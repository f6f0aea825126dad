package pillow

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestResizeFastMatchesPortable resizes random images between random sizes
// (down and up, odd and tiny ones) with and without the AVX2 kernels.
func TestResizeFastMatchesPortable(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 kernel in this build or on this CPU")
	}
	defer setAVX2(true)
	r := rand.New(rand.NewPCG(5, 6))
	for it := range 200 {
		w, h := 1+r.IntN(120), 1+r.IntN(120)
		ow, oh := 1+r.IntN(120), 1+r.IntN(120)
		if it%20 == 0 {
			w, h, ow, oh = 400+r.IntN(50), 300+r.IntN(50), 90+r.IntN(20), 70+r.IntN(20)
		}
		ch := 3
		if it%5 == 2 {
			ch = 1
		}
		src := noise(w, h, ch, uint64(it))
		setAVX2(false)
		want := Resize(src, ow, oh)
		setAVX2(true)
		got := Resize(src, ow, oh)
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("case %d: %dx%dx%d → %dx%d: AVX2 and portable resizes differ", it, w, h, ch, ow, oh)
		}
	}
}
