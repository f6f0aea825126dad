package pillow

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

func gray(w, h int, pix ...uint8) *Image {
	return &Image{Width: w, Height: h, Channels: 1, Pix: pix}
}

func rgb(w, h int, pix ...uint8) *Image {
	return &Image{Width: w, Height: h, Channels: 3, Pix: pix}
}

func TestCrop(t *testing.T) {
	src := gray(3, 2,
		1, 2, 3,
		4, 5, 6)
	tests := []struct {
		name string
		r    image.Rectangle
		want *Image
	}{
		{"whole", image.Rect(0, 0, 3, 2), src},
		{"inside", image.Rect(1, 0, 3, 2), gray(2, 2, 2, 3, 5, 6)},
		{"one pixel", image.Rect(2, 1, 3, 2), gray(1, 1, 6)},
		{"partly outside", image.Rect(-1, 1, 2, 3), gray(3, 2, 0, 4, 5, 0, 0, 0)},
		{"outside", image.Rect(5, 5, 7, 6), gray(2, 1, 0, 0)},
		{"empty", image.Rect(1, 1, 1, 1), gray(0, 0)},
		{"inverted", image.Rectangle{image.Pt(2, 0), image.Pt(1, 2)}, gray(0, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := src.Crop(tc.r)
			if got.Width != tc.want.Width || got.Height != tc.want.Height || got.Channels != 1 ||
				!bytes.Equal(got.Pix, tc.want.Pix) {
				t.Errorf("Crop(%v) = %+v, want %+v", tc.r, got, tc.want)
			}
		})
	}

	c := rgb(2, 1, 1, 2, 3, 4, 5, 6).Crop(image.Rect(1, 0, 3, 1))
	if want := []uint8{4, 5, 6, 0, 0, 0}; !bytes.Equal(c.Pix, want) || c.Channels != 3 {
		t.Errorf("RGB crop = %v, want %v", c.Pix, want)
	}
}

func TestFromImage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 2, 1))
	g.Pix = []uint8{7, 9}

	rgba := image.NewRGBA(image.Rect(0, 0, 2, 1))
	rgba.Pix = []uint8{1, 2, 3, 255, 4, 5, 6, 255}

	// Straight alpha: the colour is kept as stored, even where A = 0.
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Pix = []uint8{10, 20, 30, 0, 40, 50, 60, 128}

	// A sub-image: non-zero origin and a stride longer than the row.
	big := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range big.Pix {
		big.Pix[i] = uint8(i)
	}
	sub := big.SubImage(image.Rect(1, 1, 3, 2))

	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{
		color.RGBA{200, 100, 50, 255}, color.RGBA{0, 0, 0, 255}})
	pal.Pix = []uint8{0, 1}

	tests := []struct {
		name string
		m    image.Image
		want []uint8
	}{
		{"gray", g, []uint8{7, 7, 7, 9, 9, 9}},
		{"rgba", rgba, []uint8{1, 2, 3, 4, 5, 6}},
		{"nrgba", nrgba, []uint8{10, 20, 30, 40, 50, 60}},
		{"subimage", sub, []uint8{16, 17, 18, 20, 21, 22}},
		{"paletted", pal, []uint8{200, 100, 50, 0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FromImage(tc.m)
			if got.Width != 2 || got.Height != 1 || got.Channels != 3 || !bytes.Equal(got.Pix, tc.want) {
				t.Errorf("FromImage = %+v, want 2x1 RGB %v", got, tc.want)
			}
		})
	}
}

func TestToImage(t *testing.T) {
	g := gray(2, 1, 7, 9).ToImage().(*image.Gray)
	if !bytes.Equal(g.Pix, []uint8{7, 9}) || g.Rect != image.Rect(0, 0, 2, 1) {
		t.Errorf("gray ToImage = %v %v", g.Rect, g.Pix)
	}
	m := rgb(2, 1, 1, 2, 3, 4, 5, 6)
	c := m.ToImage().(*image.RGBA)
	if !bytes.Equal(c.Pix, []uint8{1, 2, 3, 255, 4, 5, 6, 255}) {
		t.Errorf("RGB ToImage = %v", c.Pix)
	}
	if back := FromImage(c); !bytes.Equal(back.Pix, m.Pix) {
		t.Errorf("round trip = %v, want %v", back.Pix, m.Pix)
	}
}

func TestMalformedPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"New channels", func() { New(1, 1, 4) }},
		{"New size", func() { New(-1, 1, 1) }},
		{"short Pix", func() { Resize(gray(2, 2, 1, 2, 3), 1, 1) }},
		{"bad channels", func() { Quad(&Image{1, 1, 2, []uint8{0, 0}}, 1, 1, [8]float32{}) }},
		{"resize to 0", func() { Resize(gray(1, 1, 0), 0, 1) }},
		{"quad to 0", func() { Quad(gray(1, 1, 0), 1, 0, [8]float32{}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

func TestPlanar(t *testing.T) {
	m := &Image{Width: 2, Height: 1, Channels: 3, Pix: []byte{1, 2, 3, 4, 5, 6}}
	if got, want := m.Planar(), []byte{1, 4, 2, 5, 3, 6}; !bytes.Equal(got, want) {
		t.Errorf("RGB: %v, want %v", got, want)
	}
	g := &Image{Width: 2, Height: 1, Channels: 1, Pix: []byte{7, 8}}
	if got := g.Planar(); !bytes.Equal(got, g.Pix) || &got[0] == &g.Pix[0] {
		t.Errorf("gray: %v (must be a copy)", got)
	}
}
