package planar

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

func TestPlaneAndAt(t *testing.T) {
	m := NewImage(3, 4)
	if len(m.Pix) != 48 || m.Bounds() != image.Rect(0, 0, 4, 4) || m.ColorModel() != color.RGBAModel {
		t.Fatalf("NewImage(3, 4) = %d bytes, bounds %v", len(m.Pix), m.Bounds())
	}
	for i := range m.Pix {
		m.Pix[i] = byte(i)
	}
	if p := m.Plane(1); len(p) != 16 || p[0] != 16 || p[15] != 31 {
		t.Fatalf("Plane(1) = %v", p)
	}
	if got := m.At(2, 1); got != (color.RGBA{6, 22, 38, 255}) {
		t.Fatalf("At(2, 1) = %v", got)
	}
	if got := m.At(4, 0); got != (color.RGBA{}) {
		t.Fatalf("At outside = %v", got)
	}
	g := NewImage(1, 2)
	g.Pix[3] = 9
	if g.ColorModel() != color.GrayModel || g.At(1, 1) != (color.Gray{9}) {
		t.Fatalf("gray At(1, 1) = %v", g.At(1, 1))
	}
}

// Standard image types become the planar layout: RGBA and NRGBA keep their
// colour channels, and alpha is dropped.
func TestFromImageTypes(t *testing.T) {
	r := image.Rect(0, 0, 4, 4)
	rgba, nrgba, half := image.NewRGBA(r), image.NewNRGBA(r), image.NewRGBA(r)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	gray := image.NewGray(r)
	want := make([]byte, 48)
	for i := range 16 {
		rgba.SetRGBA(i%4, i/4, color.RGBA{byte(i), byte(2 * i), byte(3 * i), 255})
		nrgba.SetNRGBA(i%4, i/4, color.NRGBA{byte(i), byte(2 * i), byte(3 * i), 7})
		half.SetRGBA(i%4, i/4, color.RGBA{byte(i) / 2, byte(2*i) / 2, byte(3*i) / 2, 128})
		gray.SetGray(i%4, i/4, color.Gray{byte(5 * i)})
		want[i], want[16+i], want[32+i] = byte(i), byte(2*i), byte(3*i)
	}
	for i := range ycc.Y {
		ycc.Y[i], ycc.Cb[i], ycc.Cr[i] = 128, 128, 128
	}
	for _, img := range []image.Image{rgba, nrgba} {
		m, err := FromImage(img)
		if err != nil || m.Channels != 3 || m.Size != 4 || !bytes.Equal(m.Pix, want) {
			t.Fatalf("%T: %v %v", img, m, err)
		}
	}
	m, _ := FromImage(ycc)
	if !bytes.Equal(m.Pix, bytes.Repeat([]byte{128}, 48)) {
		t.Fatalf("YCbCr gray = %v", m.Pix)
	}
	// Premultiplied v/2 at alpha 128 comes back as (v/2)*255/128, truncated.
	m, _ = FromImage(half)
	for i, v := range want {
		if got := byte(min(int(v/2)*255/128, 255)); m.Pix[i] != got {
			t.Fatalf("premultiplied pixel %d = %d, want %d", i, m.Pix[i], got)
		}
	}
	m, _ = FromImage(gray)
	if m.Channels != 1 || !bytes.Equal(m.Pix, gray.Pix) {
		t.Fatalf("gray = %v", m)
	}
	if _, err := FromImage(image.NewGray(image.Rect(0, 0, 4, 3))); err == nil {
		t.Fatal("4×3 image accepted")
	}
}

func TestFromImageInto(t *testing.T) {
	p := NewImage(3, 4)
	if m, _ := FromImageInto(p, nil); m != p {
		t.Fatal("an *Image was copied")
	}
	dst := &Image{Pix: make([]byte, 100)}
	sub := image.NewGray(image.Rect(0, 0, 8, 8)).SubImage(image.Rect(2, 2, 6, 6))
	m, err := FromImageInto(sub, dst)
	if err != nil || m != dst || m.Channels != 1 || m.Size != 4 || len(m.Pix) != 16 || &m.Pix[0] != &dst.Pix[0] {
		t.Fatalf("FromImageInto did not reuse dst: %v %v", m, err)
	}
	big := image.NewRGBA(image.Rect(0, 0, 8, 8))
	if m, _ := FromImageInto(big, dst); m == dst || len(m.Pix) != 192 {
		t.Fatal("FromImageInto wrote past a small dst")
	}
}

func TestInterleavedRoundTrip(t *testing.T) {
	for _, c := range []int{1, 3} {
		m := NewImage(c, 5)
		for i := range m.Pix {
			m.Pix[i] = byte(7 * i)
		}
		il := m.Interleaved()
		if _, gray := il.(*image.Gray); gray != (c == 1) {
			t.Fatalf("%d channels: %T", c, il)
		}
		back, err := FromImage(il)
		if err != nil || back.Channels != c || !bytes.Equal(back.Pix, m.Pix) {
			t.Fatalf("%d channels: round trip differs", c)
		}
	}
}
