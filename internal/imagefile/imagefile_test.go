package imagefile

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// rgb is an expected pixel; gray results must have R = G = B.
type rgb [3]uint8

func g(v uint8) rgb { return rgb{v, v, v} }

// ---- encoders ----

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encGIF(t testing.TB, m *image.Paletted) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encBMP(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bmp.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encTIFF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tiff.Encode(&b, m, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawPNG writes a PNG by hand, for the colour types Go's encoder never
// produces (gray with alpha, gray with a transparent colour, palettes with
// colour kept under full transparency). rows hold the raw samples, big-endian
// for 16-bit depths.
func rawPNG(w, h int, depth, colorType byte, plte, trns []byte, rows [][]byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, colorType
	chunk("IHDR", ihdr)
	if plte != nil {
		chunk("PLTE", plte)
	}
	if trns != nil {
		chunk("tRNS", trns)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for _, r := range rows {
		zw.Write([]byte{0}) // filter type None
		zw.Write(r)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// cmykJPEG hand-writes an 8×8 baseline JPEG with four components, an Adobe
// APP14 marker with transform 0 (plain CMYK, stored inverted as Photoshop
// does) and one flat block per component, since no Go encoder writes CMYK.
// stored holds the four sample values as they are in the file.
func cmykJPEG(stored [4]uint8) []byte {
	var b bytes.Buffer
	seg := func(marker byte, data []byte) {
		b.Write([]byte{0xFF, marker})
		binary.Write(&b, binary.BigEndian, uint16(len(data)+2))
		b.Write(data)
	}
	b.Write([]byte{0xFF, 0xD8})
	// APP14 "Adobe", version 100, flags 0, 0, transform 0.
	seg(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0})
	// One quantisation table of ones, so coefficients are stored as is.
	dqt := make([]byte, 65)
	for i := 1; i < 65; i++ {
		dqt[i] = 1
	}
	seg(0xDB, dqt)
	// SOF0: 8-bit, 8×8, four 1×1 components using table 0.
	sof := []byte{8, 0, 8, 0, 8, 4}
	for id := byte(1); id <= 4; id++ {
		sof = append(sof, id, 0x11, 0)
	}
	seg(0xC0, sof)
	// DC table 0: categories 0-11 as 4-bit codes equal to the category.
	// AC table 0: just end-of-block, coded as a single 0 bit.
	dht := []byte{0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for c := byte(0); c < 12; c++ {
		dht = append(dht, c)
	}
	dht = append(dht, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00)
	seg(0xC4, dht)
	seg(0xDA, []byte{4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0})

	var bits []byte
	var acc, n uint
	put := func(v uint, width uint) {
		for i := width; i > 0; i-- {
			acc = acc<<1 | (v>>(i-1))&1
			if n++; n == 8 {
				bits = append(bits, byte(acc))
				if byte(acc) == 0xFF {
					bits = append(bits, 0) // byte stuffing
				}
				acc, n = 0, 0
			}
		}
	}
	for _, s := range stored {
		// A flat block of level s has DC = 8*(s-128) after the level
		// shift; the first DC difference of a scan is the DC itself.
		dc := 8 * (int(s) - 128)
		mag, cat := dc, uint(0)
		if mag < 0 {
			mag = -mag
		}
		for mag>>cat != 0 {
			cat++
		}
		put(cat, 4)
		if dc < 0 {
			dc += 1<<cat - 1
		}
		put(uint(dc), cat)
		put(0, 1) // end of block
	}
	for n != 0 {
		put(1, 1) // pad with ones
	}
	b.Write(bits)
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// ---- test images ----

func grayImage(w, h int, f func(x, y int) uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetGray(x, y, color.Gray{f(x, y)})
		}
	}
	return m
}

func rgbImage(w, h int, f func(x, y int) rgb) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := f(x, y)
			m.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return m
}

// ramp is a 4×4 gray pattern whose levels differ from their indices.
func ramp(x, y int) uint8 { return uint8(16*(4*y+x) + 3) }

// colours is a 4×4 colour pattern with distinct channels.
func colours(x, y int) rgb {
	return rgb{uint8(10 + 60*x), uint8(20 + 50*y), uint8(200 - 10*(x+y))}
}

// checkImage verifies the promises of Decode's result type and returns the
// pixel at (x, y) as rgb.
func checkImage(t testing.TB, m image.Image) func(x, y int) rgb {
	t.Helper()
	switch m := m.(type) {
	case *image.Gray:
		if m.Rect.Min != (image.Point{}) || m.Stride != m.Rect.Dx() || len(m.Pix) != m.Rect.Dx()*m.Rect.Dy() {
			t.Fatalf("gray result not at origin or not contiguous: rect %v stride %d len %d", m.Rect, m.Stride, len(m.Pix))
		}
		return func(x, y int) rgb { return g(m.Pix[y*m.Stride+x]) }
	case *image.RGBA:
		if m.Rect.Min != (image.Point{}) || m.Stride != 4*m.Rect.Dx() || len(m.Pix) != 4*m.Rect.Dx()*m.Rect.Dy() {
			t.Fatalf("RGBA result not at origin or not contiguous: rect %v stride %d len %d", m.Rect, m.Stride, len(m.Pix))
		}
		for i := 3; i < len(m.Pix); i += 4 {
			if m.Pix[i] != 255 {
				t.Fatalf("alpha %d at byte %d, want 255", m.Pix[i], i)
			}
		}
		return func(x, y int) rgb {
			i := y*m.Stride + 4*x
			return rgb{m.Pix[i], m.Pix[i+1], m.Pix[i+2]}
		}
	}
	t.Fatalf("result is %T, want *image.Gray or *image.RGBA", m)
	return nil
}

func within(a, b rgb, tol int) bool {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < -tol || d > tol {
			return false
		}
	}
	return true
}

// ---- Decode: formats and conversion rules ----

func TestDecodePixels(t *testing.T) {
	// Palettes whose gray levels differ from their indices catch the
	// original's bug of storing indices.
	grayPal := color.Palette{color.Gray{200}, color.Gray{7}, color.Gray{99}, color.Gray{255}}
	colourPal := color.Palette{
		color.RGBA{255, 0, 0, 255}, color.RGBA{0, 128, 0, 255},
		color.RGBA{0, 0, 255, 255}, color.RGBA{50, 50, 50, 255},
	}
	palIdx := func(x, y int) uint8 { return uint8((x + 3*y) % 4) }
	palImage := func(p color.Palette) *image.Paletted {
		m := image.NewPaletted(image.Rect(0, 0, 4, 4), p)
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				m.SetColorIndex(x, y, palIdx(x, y))
			}
		}
		return m
	}
	palWant := func(p color.Palette) func(x, y int) rgb {
		return func(x, y int) rgb {
			r, gg, b, _ := p[palIdx(x, y)].RGBA()
			return rgb{uint8(r >> 8), uint8(gg >> 8), uint8(b >> 8)}
		}
	}

	// 16-bit levels where v>>8 and round(v/257) disagree (0x00FF: 0 or 1;
	// 0xFF00: 255 or 254) and where they agree (v*257).
	levels16 := []uint16{0x00FF, 0xFF00, 0x1234, 0x8080, 0xFFFF, 0, 0x7F7F, 0x0100}
	lvl16 := func(x, y int) uint16 { return levels16[(x+5*y)%len(levels16)] }

	// Straight (non-premultiplied) colour with alpha, transparent included:
	// the colour must survive as stored.
	alphas := []uint8{255, 128, 1, 0}
	nrgba := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 4, 4))
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 4, 4))
	gray16 := image.NewGray16(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			c := colours(x, y)
			nrgba.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], alphas[x]})
			v := lvl16(x, y)
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{v, 0xFFFF - v, uint16(c[2]) << 8, uint16(alphas[y]) * 257})
			rgba64.SetRGBA64(x, y, color.RGBA64{v, 0xFFFF - v, 0x1234, 0xFFFF})
			gray16.SetGray16(x, y, color.Gray16{v})
		}
	}

	// Premultiplied TIFF (associated alpha): colour c*a/255 stored, and
	// Pillow's rule c*255/a truncated gives it back.
	premul := image.NewRGBA(image.Rect(0, 0, 4, 4))
	premulStored := [4]rgb{{200, 100, 50}, {60, 30, 15}, {0, 0, 0}, {10, 20, 30}}
	premulAlpha := [4]uint8{255, 128, 0, 40}
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			s := premulStored[x]
			premul.SetRGBA(x, y, color.RGBA{s[0], s[1], s[2], premulAlpha[x]})
		}
	}
	// The same at 16 bits: v*257 has high byte v, so the 8-bit rule on
	// the high bytes gives the same colours.
	premul64 := image.NewRGBA64(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			s, a := premulStored[x], uint16(premulAlpha[x])*257
			premul64.SetRGBA64(x, y, color.RGBA64{uint16(s[0]) * 257, uint16(s[1]) * 257, uint16(s[2]) * 257, a})
		}
	}
	premulWant := func(x, y int) rgb {
		s, a := premulStored[x], int(premulAlpha[x])
		if a == 0 {
			return rgb{}
		}
		var out rgb
		for i := range s {
			out[i] = uint8(min(int(s[i])*255/a, 255))
		}
		return out
	}

	// Gray with alpha (colour type 4), 8 and 16 bits: the level survives,
	// whatever the alpha.
	ga8 := make([][]byte, 4)
	ga16 := make([][]byte, 4)
	for y := range ga8 {
		for x := 0; x < 4; x++ {
			v := lvl16(x, y)
			ga8[y] = append(ga8[y], ramp(x, y), alphas[x])
			ga16[y] = append(ga16[y], byte(v>>8), byte(v), 0, alphas[y])
		}
	}
	// Gray with a transparent level (tRNS): level 3 is transparent.
	gt := make([][]byte, 4)
	for y := range gt {
		for x := 0; x < 4; x++ {
			gt[y] = append(gt[y], ramp(x, y))
		}
	}
	// Palette with tRNS, entry 1 fully transparent but still coloured.
	trnsPal := []byte{255, 0, 0, 200, 100, 50, 0, 0, 255, 9, 9, 9}
	trnsRows := make([][]byte, 4)
	for y := range trnsRows {
		for x := 0; x < 4; x++ {
			trnsRows[y] = append(trnsRows[y], palIdx(x, y))
		}
	}
	trnsWant := func(x, y int) rgb {
		i := 3 * int(palIdx(x, y))
		return rgb{trnsPal[i], trnsPal[i+1], trnsPal[i+2]}
	}
	// A gray palette in PNG (not a gray colour type) must still give one
	// channel.
	grayPLTE := []byte{200, 200, 200, 7, 7, 7, 99, 99, 99, 255, 255, 255}

	hi := func(v uint16) uint8 { return uint8(v >> 8) }
	flat := rgb{200, 100, 50}
	cmyk := [4]uint8{0, 128, 255, 64} // C, M, Y, K as ink amounts

	tests := []struct {
		name string
		src  string // type the decoder returns
		data func(t *testing.T) []byte
		ch   int
		size int
		want func(x, y int) rgb
		tol  int // lossy formats only
	}{
		{"png gray", "*image.Gray", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 4, ramp)) },
			1, 4, func(x, y int) rgb { return g(ramp(x, y)) }, 0},
		{"png rgb", "*image.RGBA", func(t *testing.T) []byte { return encPNG(t, rgbImage(4, 4, colours)) },
			3, 4, colours, 0},
		{"png rgba straight alpha", "*image.NRGBA", func(t *testing.T) []byte { return encPNG(t, nrgba) },
			3, 4, colours, 0},
		{"png gray+alpha", "*image.NRGBA", func(t *testing.T) []byte { return rawPNG(4, 4, 8, 4, nil, nil, ga8) },
			1, 4, func(x, y int) rgb { return g(ramp(x, y)) }, 0},
		{"png gray+alpha 16-bit", "*image.NRGBA64", func(t *testing.T) []byte { return rawPNG(4, 4, 16, 4, nil, nil, ga16) },
			1, 4, func(x, y int) rgb { return g(hi(lvl16(x, y))) }, 0},
		{"png gray tRNS", "*image.NRGBA", func(t *testing.T) []byte { return rawPNG(4, 4, 8, 0, nil, []byte{0, 3}, gt) },
			1, 4, func(x, y int) rgb { return g(ramp(x, y)) }, 0},
		{"png gray 16-bit", "*image.Gray16", func(t *testing.T) []byte { return encPNG(t, gray16) },
			1, 4, func(x, y int) rgb { return g(hi(lvl16(x, y))) }, 0},
		{"png rgb 16-bit", "*image.RGBA64", func(t *testing.T) []byte { return encPNG(t, rgba64) },
			3, 4, func(x, y int) rgb { v := lvl16(x, y); return rgb{hi(v), hi(0xFFFF - v), 0x12} }, 0},
		{"png rgba 16-bit", "*image.NRGBA64", func(t *testing.T) []byte { return encPNG(t, nrgba64) },
			3, 4, func(x, y int) rgb { v := lvl16(x, y); return rgb{hi(v), hi(0xFFFF - v), colours(x, y)[2]} }, 0},
		{"png palette gray", "*image.Paletted", func(t *testing.T) []byte { return encPNG(t, palImage(grayPal)) },
			1, 4, palWant(grayPal), 0},
		{"png palette gray as PLTE", "*image.Paletted", func(t *testing.T) []byte { return rawPNG(4, 4, 8, 3, grayPLTE, nil, trnsRows) },
			1, 4, palWant(grayPal), 0},
		{"png palette colour", "*image.Paletted", func(t *testing.T) []byte { return encPNG(t, palImage(colourPal)) },
			3, 4, palWant(colourPal), 0},
		{"png palette tRNS", "*image.Paletted", func(t *testing.T) []byte { return rawPNG(4, 4, 8, 3, trnsPal, []byte{255, 0, 128}, trnsRows) },
			3, 4, trnsWant, 0},
		{"gif gray palette", "*image.Paletted", func(t *testing.T) []byte { return encGIF(t, palImage(grayPal)) },
			1, 4, palWant(grayPal), 0},
		{"gif colour palette", "*image.Paletted", func(t *testing.T) []byte { return encGIF(t, palImage(colourPal)) },
			3, 4, palWant(colourPal), 0},
		{"bmp gray", "*image.Paletted", func(t *testing.T) []byte { return encBMP(t, grayImage(4, 4, ramp)) },
			1, 4, func(x, y int) rgb { return g(ramp(x, y)) }, 0},
		{"bmp rgb", "*image.RGBA", func(t *testing.T) []byte { return encBMP(t, rgbImage(4, 4, colours)) },
			3, 4, colours, 0},
		{"bmp rgba", "*image.NRGBA", func(t *testing.T) []byte { return encBMP(t, nrgba) },
			3, 4, colours, 0},
		{"bmp palette", "*image.Paletted", func(t *testing.T) []byte { return encBMP(t, palImage(colourPal)) },
			3, 4, palWant(colourPal), 0},
		{"tiff gray", "*image.Gray", func(t *testing.T) []byte { return encTIFF(t, grayImage(4, 4, ramp)) },
			1, 4, func(x, y int) rgb { return g(ramp(x, y)) }, 0},
		{"tiff gray 16-bit", "*image.Gray16", func(t *testing.T) []byte { return encTIFF(t, gray16) },
			1, 4, func(x, y int) rgb { return g(hi(lvl16(x, y))) }, 0},
		{"tiff rgb", "*image.RGBA", func(t *testing.T) []byte { return encTIFF(t, rgbImage(4, 4, colours)) },
			3, 4, colours, 0},
		{"tiff rgb 16-bit", "*image.RGBA64", func(t *testing.T) []byte { return encTIFF(t, rgba64) },
			3, 4, func(x, y int) rgb { v := lvl16(x, y); return rgb{hi(v), hi(0xFFFF - v), 0x12} }, 0},
		{"tiff unassociated alpha", "*image.NRGBA", func(t *testing.T) []byte { return encTIFF(t, nrgba) },
			3, 4, colours, 0},
		{"tiff associated alpha", "*image.RGBA", func(t *testing.T) []byte { return encTIFF(t, premul) },
			3, 4, premulWant, 0},
		{"tiff associated alpha 16-bit", "*image.RGBA64", func(t *testing.T) []byte { return encTIFF(t, premul64) },
			3, 4, premulWant, 0},
		{"tiff palette", "*image.Paletted", func(t *testing.T) []byte { return encTIFF(t, palImage(colourPal)) },
			3, 4, palWant(colourPal), 0},
		// JPEG is lossy; flat 16×16 images keep the error to rounding.
		{"jpeg gray", "*image.Gray", func(t *testing.T) []byte { return encJPEG(t, grayImage(16, 16, func(x, y int) uint8 { return 77 })) },
			1, 16, func(x, y int) rgb { return g(77) }, 1},
		{"jpeg colour", "*image.RGBA", func(t *testing.T) []byte { return encJPEG(t, rgbImage(16, 16, func(x, y int) rgb { return flat })) },
			3, 16, func(x, y int) rgb { return flat }, 2},
		// Adobe CMYK: RGB = 255 × (1−C)(1−K) and so on, with C = 255 − stored.
		{"jpeg cmyk", "*image.CMYK", func(t *testing.T) []byte {
			return cmykJPEG([4]uint8{255 - cmyk[0], 255 - cmyk[1], 255 - cmyk[2], 255 - cmyk[3]})
		}, 3, 8, func(x, y int) rgb {
			k := 255 - int(cmyk[3])
			return rgb{uint8((255 - int(cmyk[0])) * k / 255), uint8((255 - int(cmyk[1])) * k / 255), uint8((255 - int(cmyk[2])) * k / 255)}
		}, 1},
		{"webp lossless", "*image.NRGBA", func(t *testing.T) []byte { return readTestdata(t, "lossless.webp") },
			3, 4, colours, 0},
		// dwebp decodes it to (201, 100, 50), see TestWebPLossy.
		{"webp lossy with alpha", "*image.NYCbCrA", func(t *testing.T) []byte { return readTestdata(t, "lossy-alpha.webp") },
			3, 8, func(x, y int) rgb { return flat }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "img")
			if err := os.WriteFile(path, tt.data(t), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Load(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Make sure the case reaches the conversion path it is for.
			if src, _, _, err := decodeHeader("x", tt.data(t)); err != nil {
				t.Fatal(err)
			} else if got := fmt.Sprintf("%T", src); got != tt.src {
				t.Fatalf("decoder returned %s, want %s", got, tt.src)
			}
			at := checkImage(t, m)
			if ch := Channels(m); ch != tt.ch {
				t.Errorf("Channels = %d, want %d", ch, tt.ch)
			}
			if b := m.Bounds(); b.Dx() != tt.size || b.Dy() != tt.size {
				t.Fatalf("size %v, want %dx%[2]d", b, tt.size)
			}
			for y := 0; y < tt.size; y++ {
				for x := 0; x < tt.size; x++ {
					got, want := at(x, y), tt.want(x, y)
					if tt.ch == 1 && want[0] != want[1] {
						t.Fatalf("bad test: gray want %v", want)
					}
					if !within(got, want, tt.tol) {
						t.Errorf("pixel (%d,%d) = %v, want %v (±%d)", x, y, got, want, tt.tol)
					}
				}
			}
		})
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Image types no decoder returns for ordinary files go through At; wrapping
// a known type in a struct hides it from the fast paths.
type (
	wrapNRGBA  struct{ *image.NRGBA }
	wrapGray16 struct{ *image.Gray16 }
	wrapRGBA64 struct{ *image.RGBA64 }
	wrapYCbCr  struct{ *image.YCbCr }
	wrapCMYK   struct{ *image.CMYK }
)

func TestGenericPath(t *testing.T) {
	r := image.Rect(1, 1, 4, 3)
	nrgba := image.NewNRGBA(image.Rect(0, 0, 5, 4))
	gray16 := image.NewGray16(image.Rect(0, 0, 5, 4))
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 5, 4))
	ycc := image.NewYCbCr(image.Rect(0, 0, 5, 4), image.YCbCrSubsampleRatio420)
	cmyk := image.NewCMYK(image.Rect(0, 0, 5, 4))
	pal := image.NewPaletted(image.Rect(0, 0, 5, 4), color.Palette{color.RGBA{1, 2, 3, 255}, color.NRGBA{9, 8, 7, 0}})
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(37 * i)
		cmyk.Pix[i] = uint8(29 * i)
	}
	for i := range gray16.Pix {
		gray16.Pix[i] = uint8(53 * i)
	}
	for i := 0; i < len(rgba64.Pix); i += 8 {
		a := uint16(i) * 1000
		binary.BigEndian.PutUint16(rgba64.Pix[i+6:], a)
		for c := 0; c < 6; c += 2 {
			binary.BigEndian.PutUint16(rgba64.Pix[i+c:], a/uint16(c+2))
		}
	}
	for i := range ycc.Y {
		ycc.Y[i] = uint8(41 * i)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(90+7*i), uint8(200-9*i)
	}
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3) // index 2 is past the palette's end
	}

	for _, tt := range []struct {
		name        string
		fast, slow  image.Image
		wantChannel int
	}{
		{"nrgba", nrgba, wrapNRGBA{nrgba}, 3},
		{"gray16", gray16, wrapGray16{gray16}, 1},
		{"rgba64", rgba64, wrapRGBA64{rgba64}, 3},
		{"ycbcr", ycc, wrapYCbCr{ycc}, 3},
		{"cmyk", cmyk, wrapCMYK{cmyk}, 3},
	} {
		fast := convert(tt.fast, r, "", false)
		slow := convert(tt.slow, r, "", false)
		checkImage(t, slow)
		if Channels(fast) != tt.wantChannel || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: At path gives %v, fast path %v", tt.name, slow, fast)
		}
	}

	// Out-of-range palette indices read as black instead of panicking.
	at := checkImage(t, convert(pal, pal.Rect, "", false))
	for y := 0; y < 4; y++ {
		for x := 0; x < 5; x++ {
			want := [3]rgb{{1, 2, 3}, {9, 8, 7}, {0, 0, 0}}[(y*5+x)%3]
			if got := at(x, y); got != want {
				t.Errorf("palette pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// readPAM reads the RGB of a PAM file as dwebp -pam writes it (TUPLTYPE
// RGB_ALPHA, MAXVAL 255).
func readPAM(t *testing.T, name string) (w, h int, pix []rgb) {
	t.Helper()
	b := readTestdata(t, name)
	head, body, ok := bytes.Cut(b, []byte("ENDHDR\n"))
	if !ok {
		t.Fatalf("%s: no PAM header", name)
	}
	depth := 0
	for _, line := range strings.Split(string(head), "\n") {
		var key string
		var val int
		if n, _ := fmt.Sscan(line, &key, &val); n == 2 {
			switch key {
			case "WIDTH":
				w = val
			case "HEIGHT":
				h = val
			case "DEPTH":
				depth = val
			}
		}
	}
	if depth < 3 || len(body) != w*h*depth {
		t.Fatalf("%s: %dx%d depth %d with %d bytes", name, w, h, depth, len(body))
	}
	for i := 0; i < len(body); i += depth {
		pix = append(pix, rgb{body[i], body[i+1], body[i+2]})
	}
	return w, h, pix
}

// TestWebPLossy compares lossy WebP against libwebp's own decoder (dwebp,
// see testdata/README.md): limited-range BT.601 with fancy upsampling, at
// odd and even sizes so that both edge cases of the upsampler run, and
// for crops that start on odd rows and columns.
func TestWebPLossy(t *testing.T) {
	for _, name := range []string{"lossy-13x11", "lossy-16x12", "lossy-alpha"} {
		t.Run(name, func(t *testing.T) {
			w, h, want := readPAM(t, name+".pam")
			src, format, gray, err := decodeHeader(name, readTestdata(t, name+".webp"))
			if err != nil {
				t.Fatal(err)
			}
			if src.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("bounds %v, want %dx%d", src.Bounds(), w, h)
			}
			for _, r := range []image.Rectangle{src.Bounds(), image.Rect(1, 1, w-1, h), image.Rect(3, 2, w, h-1)} {
				at := checkImage(t, convert(src, r, format, gray))
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						if got := at(x-r.Min.X, y-r.Min.Y); got != want[y*w+x] {
							t.Errorf("crop %v: pixel (%d,%d) = %v, dwebp %v", r, x, y, got, want[y*w+x])
						}
					}
				}
			}
		})
	}
}

// ---- Decode: channel forcing ----

func TestChannelsOption(t *testing.T) {
	// Luma of Pillow's convert("L"): round(R*0.299 + G*0.587 + B*0.114).
	lumaCases := []struct {
		in   rgb
		want uint8
	}{
		{rgb{255, 0, 0}, 76},  // 76.245
		{rgb{0, 255, 0}, 150}, // 149.685
		{rgb{0, 0, 255}, 29},  // 29.07
		{rgb{10, 20, 30}, 18}, // 18.15
		{rgb{255, 255, 255}, 255},
		{rgb{0, 0, 0}, 0},
		{rgb{123, 123, 123}, 123},
		{rgb{200, 100, 50}, 124}, // 124.12
	}
	colour := encPNG(t, rgbImage(4, 4, func(x, y int) rgb { return lumaCases[(x+4*y)%len(lumaCases)].in }))
	gray := encPNG(t, grayImage(4, 4, ramp))

	tests := []struct {
		name string
		data []byte
		ch   int
		want func(x, y int) rgb
	}{
		{"rgb as is", colour, 0, func(x, y int) rgb { return lumaCases[(x+4*y)%len(lumaCases)].in }},
		{"rgb to gray", colour, 1, func(x, y int) rgb { return g(lumaCases[(x+4*y)%len(lumaCases)].want) }},
		{"rgb to rgb", colour, 3, func(x, y int) rgb { return lumaCases[(x+4*y)%len(lumaCases)].in }},
		{"gray to rgb", gray, 3, func(x, y int) rgb { return g(ramp(x, y)) }},
		{"gray to gray", gray, 1, func(x, y int) rgb { return g(ramp(x, y)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode("x.png", tt.data, Options{Channels: tt.ch})
			if err != nil {
				t.Fatal(err)
			}
			at := checkImage(t, m)
			wantCh := tt.ch
			if wantCh == 0 {
				wantCh = 3
			}
			if Channels(m) != wantCh {
				t.Fatalf("Channels = %d, want %d", Channels(m), wantCh)
			}
			for y := 0; y < 4; y++ {
				for x := 0; x < 4; x++ {
					if got, want := at(x, y), tt.want(x, y); got != want {
						t.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

// ---- Decode: crop and resize ----

func TestResolution(t *testing.T) {
	// Distinct level per pixel so that the crop offset shows.
	idx := func(w int) func(x, y int) uint8 { return func(x, y int) uint8 { return uint8(y*w + x) } }

	// 8×8 gray made of 2×2 blocks of levels a, a+2, a+4, a+6 (mean a+3):
	// the box filter halves it to the block means exactly.
	blocks := grayImage(8, 8, func(x, y int) uint8 {
		a := uint8(20*(x/2) + 80*(y/2))
		return a + 2*uint8(x%2) + 4*uint8(y%2)
	})

	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		opt    Options
		size   int
		ch     int
		want   func(x, y int) rgb // nil: size and type only
		errSub string
	}{
		{"non-square downscaled", func(t *testing.T) []byte {
			return encPNG(t, rgbImage(300, 200, func(x, y int) rgb { return rgb{uint8(x), uint8(y), 9} }))
		},
			Options{Resolution: 64}, 64, 3, nil, ""},
		{"gray stays gray", func(t *testing.T) []byte {
			return encPNG(t, grayImage(300, 200, func(x, y int) uint8 { return uint8(x ^ y) }))
		},
			Options{Resolution: 32, Filter: "mitchell"}, 32, 1, nil, ""},
		{"upscale allowed", func(t *testing.T) []byte { return encPNG(t, grayImage(5, 3, idx(5))) },
			Options{Resolution: 256, Filter: "catmullrom"}, 256, 1, nil, ""},
		{"forced channels after resize", func(t *testing.T) []byte { return encPNG(t, grayImage(30, 20, idx(30))) },
			Options{Resolution: 16, Channels: 3, Filter: "linear"}, 16, 3, nil, ""},
		// Crop only (s = R): columns (6-4)/2 = 1 to 4.
		{"crop wide", func(t *testing.T) []byte { return encPNG(t, grayImage(6, 4, idx(6))) },
			Options{Resolution: 4}, 4, 1, func(x, y int) rgb { return g(uint8(6*y + x + 1)) }, ""},
		// Odd margin: (5-4)/2 = 0, the spare column is on the right.
		{"crop odd margin", func(t *testing.T) []byte { return encPNG(t, grayImage(5, 4, idx(5))) },
			Options{Resolution: 4}, 4, 1, func(x, y int) rgb { return g(uint8(5*y + x)) }, ""},
		// Rows (7-4)/2 = 1 to 4.
		{"crop tall", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 7, idx(4))) },
			Options{Resolution: 4}, 4, 1, func(x, y int) rgb { return g(uint8(4*(y+1) + x)) }, ""},
		{"crop tall rgb", func(t *testing.T) []byte {
			return encPNG(t, rgbImage(4, 7, func(x, y int) rgb { return rgb{uint8(x), uint8(y), 200} }))
		},
			Options{Resolution: 4}, 4, 3, func(x, y int) rgb { return rgb{uint8(x), uint8(y + 1), 200} }, ""},
		{"box halves", func(t *testing.T) []byte { return encPNG(t, blocks) },
			Options{Resolution: 4, Filter: "box"}, 4, 1, func(x, y int) rgb { return g(uint8(20*x + 80*y + 3)) }, ""},
		{"nearest doubles", func(t *testing.T) []byte { return encPNG(t, rgbImage(4, 4, colours)) },
			Options{Resolution: 8, Filter: "Nearest"}, 8, 3, func(x, y int) rgb { return colours(x/2, y/2) }, ""},
		{"same size untouched", func(t *testing.T) []byte { return encPNG(t, rgbImage(4, 4, colours)) },
			Options{Resolution: 4, Filter: "lanczos"}, 4, 3, colours, ""},

		{"not square", func(t *testing.T) []byte { return encPNG(t, rgbImage(300, 200, colours8)) },
			Options{}, 0, 0, nil, "x.png: image is 300x200: not square (use --resolution R to crop and resize)"},
		{"not a power of two", func(t *testing.T) []byte { return encPNG(t, grayImage(48, 48, idx(48))) },
			Options{}, 0, 0, nil, "x.png: image is 48x48: side is not a power of two >= 4"},
		{"too small", func(t *testing.T) []byte { return encPNG(t, grayImage(2, 2, idx(2))) },
			Options{}, 0, 0, nil, "x.png: image is 2x2: side is not a power of two >= 4"},
		{"bad resolution", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 4, ramp)) },
			Options{Resolution: 48}, 0, 0, nil, "resolution 48 is not a power of two >= 4"},
		{"negative resolution", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 4, ramp)) },
			Options{Resolution: -4}, 0, 0, nil, "resolution -4 is not a power of two >= 4"},
		{"bad channels", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 4, ramp)) },
			Options{Channels: 2}, 0, 0, nil, "2 channels: want 0 (as the file is), 1 or 3"},
		{"unknown filter", func(t *testing.T) []byte { return encPNG(t, grayImage(4, 4, ramp)) },
			Options{Resolution: 4, Filter: "bicubic"}, 0, 0, nil,
			`unknown resize filter "bicubic" (valid: lanczos, catmullrom, mitchell, linear, box, nearest)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode("x.png", tt.data(t), tt.opt)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error %v, want one containing %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			at := checkImage(t, m)
			if b := m.Bounds(); b.Dx() != tt.size || b.Dy() != tt.size {
				t.Fatalf("size %v, want %dx%[2]d", b, tt.size)
			}
			if Channels(m) != tt.ch {
				t.Fatalf("Channels = %d, want %d", Channels(m), tt.ch)
			}
			if tt.want == nil {
				return
			}
			for y := 0; y < tt.size; y++ {
				for x := 0; x < tt.size; x++ {
					if got, want := at(x, y), tt.want(x, y); got != want {
						t.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

func colours8(x, y int) rgb { return rgb{uint8(x), uint8(y), uint8(x + y)} }

func TestFilterNames(t *testing.T) {
	want := []string{"lanczos", "catmullrom", "mitchell", "linear", "box", "nearest"}
	if got := FilterNames(); !reflect.DeepEqual(got, want) {
		t.Fatalf("FilterNames() = %q, want %q", got, want)
	}
	// Every listed name is accepted, and the empty name means the first.
	src := encPNG(t, rgbImage(12, 9, colours8))
	for _, name := range append(want, "") {
		if _, err := Decode("x.png", src, Options{Resolution: 8, Filter: name}); err != nil {
			t.Errorf("filter %q: %v", name, err)
		}
	}
	FilterNames()[0] = "changed" // callers get a copy
	if FilterNames()[0] != "lanczos" {
		t.Fatal("FilterNames returned shared storage")
	}
}

// ---- Decode and Load: broken input ----

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := encPNG(t, rgbImage(64, 64, colours8))
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	tests := []struct {
		name   string
		path   string
		errSub []string
		is     error
	}{
		// Cut in the pixel data the decoder says so itself; cut in the
		// header it reports a bare io.ErrUnexpectedEOF, which gets the
		// format name.
		{"truncated png data", write("cut.png", good[:len(good)/2]), []string{"cut.png: png: invalid format: not enough pixel data"}, nil},
		{"truncated png header", write("head.png", good[:20]), []string{"head.png: png: unexpected EOF"}, io.ErrUnexpectedEOF},
		{"truncated jpeg", write("cut.jpg", encJPEG(t, rgbImage(64, 64, colours8))[:300]), []string{"cut.jpg: "}, nil},
		{"text named png", write("x.png", []byte("hello, world\n")),
			[]string{"x.png: not a PNG, JPEG, GIF, BMP, TIFF or WebP file"}, image.ErrFormat},
		{"empty file", write("empty.jpg", nil), []string{"empty.jpg: "}, image.ErrFormat},
		{"corrupt header", write("bad.png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDX"), make([]byte, 20)...)),
			[]string{"bad.png: png: invalid format"}, nil},
		{"missing", filepath.Join(dir, "missing.png"), []string{"missing.png", "no such file"}, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(tt.path, Options{Resolution: 32})
			if err == nil {
				t.Fatalf("Load succeeded with %T", m)
			}
			for _, s := range tt.errSub {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
		})
	}

	t.Run("too many pixels", func(t *testing.T) {
		defer func(n int64) { maxPixels = n }(maxPixels)
		maxPixels = 64*64 - 1
		_, err := Decode("big.png", good, Options{})
		if err == nil || !strings.Contains(err.Error(), "big.png: image is 64x64: larger than 4095 pixels") {
			t.Fatalf("error %v", err)
		}
	})
}

// ---- List ----

func TestList(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		"b.png", "a.JPG", "B.Tiff", "a-1.png", "a0.webp", "z.bmp", "q.gif", "r.jpeg", "s.tif",
		"README.txt", "notes.md", "noext", ".DS_Store", "._b.png", ".hidden.png",
		"a/x.png", "a/y/deep.PNG", "a/skip.txt", ".git/obj.png", "a/.cache/c.png",
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A folder with an image's name, and symbolic links to a file and to a
	// folder.
	if err := os.Mkdir(filepath.Join(dir, "folder.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := true
	if err := os.Symlink("b.png", filepath.Join(dir, "link.png")); err != nil {
		links = false
		t.Logf("no symbolic links: %v", err)
	} else if err := os.Symlink("a", filepath.Join(dir, "linkdir.png")); err != nil {
		t.Fatal(err)
	}

	join := func(rels ...string) []string {
		var out []string
		for _, r := range rels {
			if !links && strings.HasPrefix(r, "link") {
				continue
			}
			out = append(out, filepath.Join(dir, filepath.FromSlash(r)))
		}
		return out
	}
	// Byte order: 'B' < 'a'; "a-1" < "a.J" < "a/x" < "a0" because
	// '-' < '.' < '/' < '0'.
	flat := join("B.Tiff", "a-1.png", "a.JPG", "a0.webp", "b.png", "link.png", "q.gif", "r.jpeg", "s.tif", "z.bmp")
	deep := join("B.Tiff", "a-1.png", "a.JPG", "a/x.png", "a/y/deep.PNG", "a0.webp", "b.png", "link.png", "q.gif", "r.jpeg", "s.tif", "z.bmp")

	for _, tt := range []struct {
		recursive bool
		want      []string
	}{{false, flat}, {true, deep}} {
		got, err := List(dir, tt.recursive)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("List(dir, %v) =\n%q\nwant\n%q", tt.recursive, got, tt.want)
		}
	}

	// A dot folder given as the root is listed: only entries below it are
	// judged hidden.
	got, err := List(filepath.Join(dir, ".git"), true)
	if err != nil || len(got) != 1 {
		t.Errorf("List(.git) = %q, %v", got, err)
	}
}

func TestListErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README.txt"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "x.png"), nil, 0o644)

	_, err := List(dir, false)
	if err == nil || err.Error() != "imagefile: no input images found in "+dir {
		t.Errorf("List(no images) error = %v", err)
	}
	if _, err := List(filepath.Join(dir, "nope"), false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("List(missing) error = %v", err)
	}
	if _, err := List(filepath.Join(dir, "README.txt"), true); err == nil || !strings.Contains(err.Error(), "README.txt is not a directory") {
		t.Errorf("List(file) error = %v", err)
	}
}

// ---- fuzzing ----

func FuzzDecode(f *testing.F) {
	defer func(n int64) { maxPixels = n }(maxPixels)
	maxPixels = 1 << 16 // keep hostile headers from costing gigabytes

	f.Add(encPNG(f, rgbImage(4, 4, colours)))
	f.Add(encPNG(f, image.NewNRGBA64(image.Rect(0, 0, 8, 8))))
	f.Add(rawPNG(4, 4, 8, 4, nil, nil, [][]byte{make([]byte, 8), make([]byte, 8), make([]byte, 8), make([]byte, 8)}))
	f.Add(encJPEG(f, rgbImage(16, 16, colours8)))
	f.Add(encJPEG(f, grayImage(8, 8, ramp)))
	f.Add(cmykJPEG([4]uint8{1, 2, 3, 4}))
	f.Add(encGIF(f, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})))
	f.Add(encBMP(f, rgbImage(4, 4, colours)))
	f.Add(encTIFF(f, grayImage(4, 4, ramp)))
	for _, name := range []string{"lossless.webp", "lossy-alpha.webp"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("not an image"))

	opts := []Options{{}, {Resolution: 8, Channels: 1}, {Resolution: 4, Channels: 3, Filter: "box"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range opts {
			m, err := Decode("fuzz", data, opt)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "imagefile: fuzz: ") {
					t.Fatalf("error %q does not name the file", err)
				}
				continue
			}
			checkImage(t, m)
			if opt.Resolution > 0 && m.Bounds().Dx() != opt.Resolution {
				t.Fatalf("size %v with resolution %d", m.Bounds(), opt.Resolution)
			}
		}
	})
}

// ---- benchmarks ----

// benchImage is a 1024×1024 image with smooth gradients and fine detail,
// so that neither encoder meets an unrealistically easy input.
func benchImage() *image.RGBA {
	return rgbImage(1024, 1024, func(x, y int) rgb {
		return rgb{uint8(x / 4), uint8(y / 4), uint8((x*x + y*y) >> 9)}
	})
}

func BenchmarkDecode(b *testing.B) {
	m := benchImage()
	files := []struct {
		name string
		data []byte
	}{
		{"jpeg", encJPEG(b, m)},
		{"png", encPNG(b, m)},
	}
	for _, f := range files {
		for _, bc := range []struct {
			name string
			run  func() error
		}{
			// The standard decoder alone, to show what the conversion
			// adds on top of it.
			{"stdlib", func() error { _, _, err := image.Decode(bytes.NewReader(f.data)); return err }},
			{"Decode", func() error { _, err := Decode("bench", f.data, Options{}); return err }},
			{"Decode-256", func() error { _, err := Decode("bench", f.data, Options{Resolution: 256}); return err }},
		} {
			b.Run(f.name+"/"+bc.name, func(b *testing.B) {
				b.SetBytes(1024 * 1024 * 3)
				b.ReportAllocs()
				for b.Loop() {
					if err := bc.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// JPEG files decode as libjpeg-turbo (djpeg, OpenCV, today's Pillow)
// decodes them: turbo.jpg is the LSUN oracle fixture's JPEG value, whose
// RGB md5 comes from cv2.imdecode (the LSUN oracle fixture, see
// docs/lsun.md#tests).
func TestJPEGAsLibjpegTurbo(t *testing.T) {
	m, err := LoadAny("testdata/turbo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	rgba := m.(*image.RGBA)
	var hwc []byte
	for i := 0; i < len(rgba.Pix); i += 4 {
		hwc = append(hwc, rgba.Pix[i:i+3]...)
	}
	sum := md5.Sum(hwc)
	if got := hex.EncodeToString(sum[:]); got != "814c290fc278cc4482d5fc22e09dca13" {
		t.Errorf("md5 %s, want cv2's 814c290fc278cc4482d5fc22e09dca13", got)
	}
}

// TestLoadPillowRGB: 16-bit grayscale is clipped as Pillow's convert does.
// The expected values are Pillow 9.4's (Debian bookworm), by
//
//	python3 -c 'import numpy as np; from PIL import Image
//	Image.fromarray(np.array([[0,255,256,1000,65535,0x1234]],np.uint16)).save("g16.png")
//	print(list(Image.open("g16.png").convert("RGB").getdata()))'
//
// which prints 0, 255, 255, 255, 255, 255 (as gray triples); LoadAny keeps
// the high byte instead (the packing rule).
func TestLoadPillowRGB(t *testing.T) {
	g := image.NewGray16(image.Rect(0, 0, 6, 1))
	for i, v := range []uint16{0, 255, 256, 1000, 65535, 0x1234} {
		g.SetGray16(i, 0, color.Gray16{Y: v})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, g); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "g16.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		load func(string) (image.Image, error)
		want []byte
	}{
		{LoadPillowRGB, []byte{0, 255, 255, 255, 255, 255}},
		{LoadAny, []byte{0, 0, 1, 3, 255, 0x12}},
		{func(p string) (image.Image, error) {
			return ReadPillowRGB(p, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		}, []byte{0, 255, 255, 255, 255, 255}},
	} {
		img, err := c.load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.(*image.Gray).Pix; !bytes.Equal(got, c.want) {
			t.Errorf("%v, want %v", got, c.want)
		}
	}
	// 8-bit files read as with LoadAny.
	img, err := LoadPillowRGB("../../inception/testdata/fakes/0003.png")
	if err != nil {
		t.Fatal(err)
	}
	any, _ := LoadAny("../../inception/testdata/fakes/0003.png")
	if !reflect.DeepEqual(img, any) {
		t.Error("8-bit file: LoadPillowRGB differs from LoadAny")
	}
}
