package ndfilter

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// padBlendSteps is PadBlend as the separate public steps, the original's
// statements one by one.
func padBlendSteps(t *testing.T, src []uint8, w, h int, pad [4]int, blur float64, r Reflect) []uint8 {
	t.Helper()
	img, err := FromUint8(src, w, h, 3)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = PadReflect(img, pad, r); err != nil {
		t.Fatal(err)
	}
	mask := PadMask(img.W, img.H, pad)
	blurred, err := GaussianFilter(img, blur, blur)
	if err != nil {
		t.Fatal(err)
	}
	if err := BlendBlur(img, blurred, mask); err != nil {
		t.Fatal(err)
	}
	med, err := Median(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := BlendMedian(img, med, mask); err != nil {
		t.Fatal(err)
	}
	return img.Uint8()
}

// TestPadBlendMatchesSteps checks the fused PadBlend against the separate
// steps on random images, pads (some beyond the image, reflected several
// times) and blurs (some skipped), with every kernel this CPU has.
func TestPadBlendMatchesSteps(t *testing.T) {
	defer setAVX2(true)
	rnd := rand.New(rand.NewPCG(9, 10))
	for it := range 40 {
		w, h := 1+rnd.IntN(30), 1+rnd.IntN(30)
		src := make([]uint8, w*h*3)
		for i := range src {
			src[i] = uint8(rnd.Uint32())
		}
		var pad [4]int
		for i := range pad {
			pad[i] = 1 + rnd.IntN(40)
		}
		blur := rnd.Float64() * 8
		if it%8 == 3 {
			blur = 0
		}
		r := Reflect(it % 2)
		for _, mode := range []int{0, 1, 2} { // Go, AVX2, AVX-512
			setAVX2(mode > 0)
			setAVX512(mode > 1)
			want := padBlendSteps(t, src, w, h, pad, blur, r)
			got, w2, h2, err := PadBlend(src, w, h, pad, blur, r)
			if err != nil {
				t.Fatal(err)
			}
			if w2 != w+pad[0]+pad[2] || h2 != h+pad[1]+pad[3] {
				t.Fatalf("size %d×%d for %d×%d padded by %v", h2, w2, h, w, pad)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("case %d (%d×%d, pad %v, σ %v, %v, kernels %d): PadBlend differs from the steps", it, h, w, pad, blur, r, mode)
			}
		}
	}
}
