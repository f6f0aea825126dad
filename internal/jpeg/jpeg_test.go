package jpeg_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/progan/progan/internal/jpeg"
)

// Where the expected md5s come from (see testdata/README.md).
const (
	oracle8d    = "IJG libjpeg 8d driven by Pillow 3.1.1 (celebahq-mini fixture)"
	oracle8dRef = "IJG libjpeg 8d (lsun-mini fixture, reference decode)"
	oracleTurbo = "djpeg -dct int, libjpeg-turbo 2.1.5 (same algorithm as 8d here)"
	selfRegress = "regression only: no independent 8d oracle for this layout"
	lossless    = "lossless jpegtran/cjpeg recoding of a file above: same coefficients, same pixels"
)

var goldens = []struct {
	file   string
	w, h   int
	c      int
	md5    string
	source string
}{
	// The five CelebA-HQ fixture JPEGs: md5 of numpy.array(PIL.Image.open(f)).tobytes().
	{"celebahq_000119.jpg", 1207, 1213, 3, "8c58510c6fba5f7bd68ea8c0dcef0130", oracle8d}, // baseline 4:2:0 q95
	{"celebahq_000010.jpg", 420, 520, 3, "2fd68f51f662c9e0ad14e8156924bfda", oracle8d},   // baseline 4:2:0 q90
	{"celebahq_000058.jpg", 640, 480, 3, "66def84759810218b452100295fd679b", oracle8d},   // baseline 4:4:4 q92
	{"celebahq_000204.jpg", 800, 1000, 3, "fc8a8f1e909c7a725507947392b950b0", oracle8d},  // progressive 4:2:0, optimized
	{"celebahq_000151.jpg", 1501, 1499, 3, "b22b067e5b856acb79516c444eb68f9a", oracle8d}, // baseline 4:2:0, odd size
	{"lsun_15_f4db574f.jpg", 342, 256, 3, "9200a015f59a4f0bbc2588159a392b5c", oracle8dRef},

	{"gray_157x93.jpg", 157, 93, 1, "5cda8d43f73f672bcaf2540f6ccb9a50", oracleTurbo},
	{"gray_prog_101x67.jpg", 101, 67, 1, "3883a320cf2786cff67464327a4a966b", oracleTurbo},
	{"gray_s2x2_101x67.jpg", 101, 67, 1, "8f8d70d770b089c7d213b4af95332557", oracleTurbo},
	{"444_rst5b_101x67.jpg", 101, 67, 3, "b6bde9bf7ed8bf65cbd1704313e21174", oracleTurbo},
	{"444_prog_rst3b_101x67.jpg", 101, 67, 3, "b6bde9bf7ed8bf65cbd1704313e21174", oracleTurbo},
	{"444_prog_157x93.jpg", 157, 93, 3, "082ee49ce09402a2ed5f1178e97851ee", oracleTurbo},
	{"311_101x67.jpg", 101, 67, 3, "00335aed518bcc55d7bfce61ba45b77b", oracleTurbo},         // 3x box replication in both
	{"rgb_101x67.jpg", 101, 67, 3, "d45ce58d108d54ab865f4ab67d69231b", oracleTurbo},         // Adobe transform 0: no conversion
	{"rgb_noadobe_101x67.jpg", 101, 67, 3, "d45ce58d108d54ab865f4ab67d69231b", oracleTurbo}, // ids 'R','G','B': no conversion
	{"rgb_jfif_101x67.jpg", 101, 67, 3, "27cf2b070b3de15daa931d82a2d30fe1", oracleTurbo},    // JFIF wins: YCbCr conversion

	{"420_250x181.jpg", 250, 181, 3, "1f110753b28d85c4d55d87cb03c33750", selfRegress},
	{"420_rst3b_250x181.jpg", 250, 181, 3, "1f110753b28d85c4d55d87cb03c33750", lossless},
	{"420_prog_rst2b_250x181.jpg", 250, 181, 3, "1f110753b28d85c4d55d87cb03c33750", lossless},
	{"420_seq3scans_250x181.jpg", 250, 181, 3, "1f110753b28d85c4d55d87cb03c33750", lossless},
	{"420_101x67.jpg", 101, 67, 3, "edf77a9b7e843022badec73c53eabec9", selfRegress},
	{"420_prog_rst1_101x67.jpg", 101, 67, 3, "edf77a9b7e843022badec73c53eabec9", lossless},
	{"420_partialprog_101x67.jpg", 101, 67, 3, "e3cf7e590ab97be301634cb917d1fb38", selfRegress}, // block smoothing
	{"422_157x93.jpg", 157, 93, 3, "73cb30fcdf70367ebcbd5b2c830e5751", selfRegress},             // 16x8 IDCT
	{"440_157x93.jpg", 157, 93, 3, "b5e45d5201fa19c6b595383b22ab9f20", selfRegress},             // 8x16 IDCT
	{"411_157x93.jpg", 157, 93, 3, "0d160743a81962d73d62f32e67a458ac", selfRegress},             // 16x8 + 2x
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestDecodeRGBGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			pix, w, h, c, err := jpeg.DecodeRGB(readTestdata(t, g.file))
			if err != nil {
				t.Fatal(err)
			}
			if w != g.w || h != g.h || c != g.c {
				t.Fatalf("got %dx%dx%d, want %dx%dx%d", w, h, c, g.w, g.h, g.c)
			}
			if len(pix) != w*h*c {
				t.Fatalf("len(pix) = %d, want %d", len(pix), w*h*c)
			}
			if got := md5hex(pix); got != g.md5 {
				t.Errorf("md5 %s, want %s (%s)", got, g.md5, g.source)
			}
		})
	}
}

func TestDecodeImage(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			data := readTestdata(t, g.file)
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := img.Bounds(), image.Rect(0, 0, g.w, g.h); got != want {
				t.Fatalf("bounds %v, want %v", got, want)
			}
			var hwc []byte
			switch m := img.(type) {
			case *image.Gray:
				if g.c != 1 {
					t.Fatalf("got *image.Gray for a %d-channel image", g.c)
				}
				hwc = m.Pix
			case *image.RGBA:
				if g.c != 3 {
					t.Fatalf("got *image.RGBA for a %d-channel image", g.c)
				}
				for i := 0; i < len(m.Pix); i += 4 {
					if m.Pix[i+3] != 255 {
						t.Fatalf("alpha %d at byte %d", m.Pix[i+3], i)
					}
					hwc = append(hwc, m.Pix[i:i+3]...)
				}
			default:
				t.Fatalf("Decode returned %T", img)
			}
			if got := md5hex(hwc); got != g.md5 {
				t.Errorf("md5 %s, want %s", got, g.md5)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestDecodeConfig(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			data := readTestdata(t, g.file)
			cr := &countingReader{r: bytes.NewReader(data)}
			cfg, err := jpeg.DecodeConfig(cr)
			if err != nil {
				t.Fatal(err)
			}
			want := color.Model(color.RGBAModel)
			if g.c == 1 {
				want = color.GrayModel
			}
			if cfg.Width != g.w || cfg.Height != g.h || cfg.ColorModel != want {
				t.Errorf("got %dx%d %v, want %dx%d %v", cfg.Width, cfg.Height, cfg.ColorModel, g.w, g.h, want)
			}
			if len(data) > 8192 && cr.n > 8192 {
				t.Errorf("read %d of %d bytes to find the frame header", cr.n, len(data))
			}
		})
	}
}

// TestGrayMatchesImageJPEG is a sanity check against Go's image/jpeg, whose
// IDCT is a different (but also accurate) algorithm.
func TestGrayMatchesImageJPEG(t *testing.T) {
	for _, name := range []string{"gray_157x93.jpg", "gray_prog_101x67.jpg", "gray_s2x2_101x67.jpg"} {
		data := readTestdata(t, name)
		pix, w, h, _, err := jpeg.DecodeRGB(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := stdjpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		gray := img.(*image.Gray)
		maxDiff, differ := 0, 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				d := int(pix[y*w+x]) - int(gray.Pix[y*gray.Stride+x])
				d = max(d, -d)
				maxDiff = max(maxDiff, d)
				if d != 0 {
					differ++
				}
			}
		}
		t.Logf("%s: %d of %d samples differ from image/jpeg, max %d", name, differ, w*h, maxDiff)
		if maxDiff > 2 {
			t.Errorf("%s: max difference to image/jpeg %d, want <= 2", name, maxDiff)
		}
	}
}

func TestCheckCelebA000001(t *testing.T) {
	err := jpeg.CheckCelebA000001(readTestdata(t, "celebahq_000010.jpg"))
	if err == nil || !strings.Contains(err.Error(), "2fd68f51f662c9e0ad14e8156924bfda") ||
		!strings.Contains(err.Error(), jpeg.CelebA000001MD5) {
		t.Errorf("wrong file: got %v, want an md5 mismatch naming both md5s", err)
	}
	if err := jpeg.CheckCelebA000001(readTestdata(t, "gray_157x93.jpg")); err == nil || !strings.Contains(err.Error(), "1 channels") {
		t.Errorf("grayscale file: got %v", err)
	}
	if err := jpeg.CheckCelebA000001([]byte("not a jpeg")); err == nil || !strings.Contains(err.Error(), "SOI") {
		t.Errorf("garbage: got %v", err)
	}
}

// turboGoldens are md5s of libjpeg-turbo 2.1.5 decodes (djpeg -dct int, see
// testdata/README.md; for the CelebA-HQ files also the fixture's
// djpeg_turbo_md5, and for the LSUN file the fixture's expected cv2 decode).
var turboGoldens = []struct {
	file string
	md5  string
}{
	{"celebahq_000119.jpg", "08798772579558bd0e01c77d8e268583"},
	{"celebahq_000010.jpg", "04293fcc2aadad0eb5a9388e2553092d"},
	{"celebahq_000058.jpg", "66def84759810218b452100295fd679b"},
	{"celebahq_000204.jpg", "7c4276363f9efece9e54cc1e8a1c7659"},
	{"celebahq_000151.jpg", "10bd581795217b6ce16505f6bce699b3"},
	{"lsun_15_f4db574f.jpg", "814c290fc278cc4482d5fc22e09dca13"},
	{"gray_157x93.jpg", "5cda8d43f73f672bcaf2540f6ccb9a50"},
	{"gray_prog_101x67.jpg", "3883a320cf2786cff67464327a4a966b"},
	{"gray_s2x2_101x67.jpg", "8f8d70d770b089c7d213b4af95332557"},
	{"444_rst5b_101x67.jpg", "b6bde9bf7ed8bf65cbd1704313e21174"},
	{"444_prog_rst3b_101x67.jpg", "b6bde9bf7ed8bf65cbd1704313e21174"},
	{"444_prog_157x93.jpg", "082ee49ce09402a2ed5f1178e97851ee"},
	{"311_101x67.jpg", "00335aed518bcc55d7bfce61ba45b77b"},
	{"rgb_101x67.jpg", "d45ce58d108d54ab865f4ab67d69231b"},
	{"rgb_noadobe_101x67.jpg", "d45ce58d108d54ab865f4ab67d69231b"},
	{"rgb_jfif_101x67.jpg", "27cf2b070b3de15daa931d82a2d30fe1"},
	{"420_250x181.jpg", "188eb67f9354a65888d51ad0cf129c7e"},
	{"420_rst3b_250x181.jpg", "188eb67f9354a65888d51ad0cf129c7e"},
	{"420_prog_rst2b_250x181.jpg", "188eb67f9354a65888d51ad0cf129c7e"},
	{"420_seq3scans_250x181.jpg", "188eb67f9354a65888d51ad0cf129c7e"},
	{"420_101x67.jpg", "6366b298687ca8f1f80d7f607a25551b"},
	{"420_prog_rst1_101x67.jpg", "6366b298687ca8f1f80d7f607a25551b"},
	{"422_157x93.jpg", "3b78f992b23943b80fc66c64fad9b60d"}, // h2v1_fancy_upsample
	{"440_157x93.jpg", "a9702811d8fae3bb6e41891d81f81ac3"}, // h1v2_fancy_upsample
	{"411_157x93.jpg", "3f06c28424f737efdbafeed971f2cabe"}, // int_upsample
}

func TestDecodeRGBTurbo(t *testing.T) {
	for _, g := range turboGoldens {
		t.Run(g.file, func(t *testing.T) {
			pix, _, _, _, err := jpeg.DecodeRGBOptions(readTestdata(t, g.file), &jpeg.Options{Turbo: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := md5hex(pix); got != g.md5 {
				t.Errorf("md5 %s, want %s (djpeg)", got, g.md5)
			}
		})
	}
	// Block smoothing differs between turbo 2.1 and 8d and is not imitated.
	_, _, _, _, err := jpeg.DecodeRGBOptions(readTestdata(t, "420_partialprog_101x67.jpg"), &jpeg.Options{Turbo: true})
	if err == nil || !strings.Contains(err.Error(), "block smoothing") {
		t.Errorf("partially refined progressive file: got %v, want an UnsupportedError", err)
	}
	// A nil or zero Options is libjpeg 8d.
	for _, o := range []*jpeg.Options{nil, {}} {
		pix, _, _, _, err := jpeg.DecodeRGBOptions(readTestdata(t, "celebahq_000010.jpg"), o)
		if err != nil || md5hex(pix) != "2fd68f51f662c9e0ad14e8156924bfda" {
			t.Errorf("Options %v: not the 8d decode (err %v)", o, err)
		}
	}
}
