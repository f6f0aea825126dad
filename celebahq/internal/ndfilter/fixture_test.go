package ndfilter

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// readPNG returns the (h, w, 3) RGB bytes of a testdata PNG.
func readPNG(t testing.TB, name string) (pix []uint8, w, h int) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		t.Fatalf("%s: decoded as %T, want an RGB PNG", name, img)
	}
	b := rgba.Bounds()
	w, h = b.Dx(), b.Dy()
	pix = make([]uint8, 0, w*h*3)
	for y := range h {
		row := rgba.Pix[y*rgba.Stride:]
		for x := range w {
			pix = append(pix, row[4*x], row[4*x+1], row[4*x+2])
		}
	}
	return pix, w, h
}

// The two cases of the celebahq-mini oracle fixture that take the pad
// branch. Inputs: the image entering step 10 (testdata/idx*_prepad.png,
// made by testdata/make_fixture_inputs.py and checked there against the
// fixture's stage md5s); expected values copied from the fixture's
// cases.json (pad, blur_sigma, median, pad_float_md5, stage_md5.pad).
func TestPadBranchFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("pads up to 2647×2648 with σ up to 42.7 (several seconds)")
	}
	tests := []struct {
		idx                 int
		w, h                int
		pad                 [4]int
		blur                float64
		median              [3]float32
		padded, mask, gauss string
		afterBlur, afterMed string
		stagePad            string
	}{
		{
			idx: 7000, w: 928, h: 1392, pad: [4]int{377, 337, 337, 337}, blur: 22.43654052734375,
			median: [3]float32{154.78868103027344, 141.0, 134.46176147460938},
			padded: "54343756c090d7f0c8aaf2d3889e49ec", mask: "9d5c78dbd68b2100ca0fa075526dff5a",
			gauss: "92e51974dd1b3e2cd0a8aa2b7baf0974", afterBlur: "1d7510d7e24ff14ea3fba5cc0a79e7ad",
			afterMed: "966e640711931b077837673528c02cf2", stagePad: "0e2fddd038d3409ed9ca4a44429de158",
		},
		{
			idx: 29999, w: 750, h: 750, pad: [4]int{948, 1041, 949, 857}, blur: 42.712060546875,
			median: [3]float32{209.408935546875, 172.8132781982422, 148.814697265625},
			padded: "8c28aa1dddd9884c213ba3484bc245c8", mask: "ec42c85c0bc1a612b3c3a5d2b1dff032",
			gauss: "7501ee6e5b023e04bb239713e12642e2", afterBlur: "ea1cb7ad1fe8fac849e3b441137f65e5",
			afterMed: "d345e85b58b5d74c3583bcbabedb1ac3", stagePad: "7fad9925bb1b5f0b699f875d886ee845",
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("idx", tt.idx), func(t *testing.T) {
			src, w, h := readPNG(t, fmt.Sprintf("idx%05d_prepad.png", tt.idx))
			if w != tt.w || h != tt.h {
				t.Fatalf("input is %d×%d, want %d×%d", w, h, tt.w, tt.h)
			}
			img, err := FromUint8(src, w, h, 3)
			if err != nil {
				t.Fatal(err)
			}
			// Both NumPy flavours pad these two cases identically.
			padded, err := PadReflect(img, tt.pad, ReflectNumPy117)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5f32(padded.Pix); got != tt.padded {
				t.Fatalf("padded: md5 %s, want %s", got, tt.padded)
			}
			mask := PadMask(padded.W, padded.H, tt.pad)
			if got := md5f32(mask); got != tt.mask {
				t.Errorf("mask: md5 %s, want %s", got, tt.mask)
			}
			blurred, err := GaussianFilter(padded, tt.blur, tt.blur)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5f32(blurred.Pix); got != tt.gauss {
				t.Errorf("gaussian: md5 %s, want %s", got, tt.gauss)
			}
			if err := BlendBlur(padded, blurred, mask); err != nil {
				t.Fatal(err)
			}
			if got := md5f32(padded.Pix); got != tt.afterBlur {
				t.Errorf("after blur blend: md5 %s, want %s", got, tt.afterBlur)
			}
			med, err := Median(padded)
			if err != nil {
				t.Fatal(err)
			}
			if [3]float32(med) != tt.median {
				t.Errorf("median %v, want %v", med, tt.median)
			}
			if err := BlendMedian(padded, med, mask); err != nil {
				t.Fatal(err)
			}
			if got := md5f32(padded.Pix); got != tt.afterMed {
				t.Errorf("after median blend: md5 %s, want %s", got, tt.afterMed)
			}
			if got := md5u8(padded.Uint8()); got != tt.stagePad {
				t.Errorf("uint8: md5 %s, want %s", got, tt.stagePad)
			}
			// PadBlend is these same calls (TestPadBranchGolden checks it).
		})
	}
}

// BenchmarkPadBlend runs the pad branch of fixture idx 29999: 750×750 padded
// to 2647×2648, σ 42.7 (kernel radius 171).
func BenchmarkPadBlend(b *testing.B) {
	src, w, h := readPNG(b, "idx29999_prepad.png")
	pad := [4]int{948, 1041, 949, 857}
	for b.Loop() {
		if _, _, _, err := PadBlend(src, w, h, pad, 42.712060546875, ReflectLegacy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGaussianFilter filters a 1642×2066×3 float32 image with σ 22.4
// (fixture idx 7000's blur).
func BenchmarkGaussianFilter(b *testing.B) {
	m := NewImage(1642, 2066, 3)
	for i := range m.Pix {
		m.Pix[i] = float32(i % 251)
	}
	for b.Loop() {
		if _, err := GaussianFilter(m, 22.43654052734375, 22.43654052734375); err != nil {
			b.Fatal(err)
		}
	}
}
