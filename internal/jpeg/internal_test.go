package jpeg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSamplingLayouts checks the IDCT sizes and replication factors chosen
// for each sampling layout against libjpeg 8d's rules (jdmaster.c with
// do_fancy_upsampling TRUE, jdsample.c jinit_upsampler); the 4:4:4, 4:2:0,
// 4:2:2, 4:4:0 and 4:1:1 rows were also read back from the 8d library by the
// fixture authors (see docs/celebahq.md#jpeg-decoding).
func TestSamplingLayouts(t *testing.T) {
	type out struct{ dctW, dctH, expH, expV int }
	tests := []struct {
		name    string
		factors [][2]int
		want    []out
	}{
		{"4:4:4", [][2]int{{1, 1}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {8, 8, 1, 1}, {8, 8, 1, 1}}},
		{"4:2:0", [][2]int{{2, 2}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {16, 16, 1, 1}, {16, 16, 1, 1}}},
		{"4:2:2", [][2]int{{2, 1}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {16, 8, 1, 1}, {16, 8, 1, 1}}},
		{"4:4:0", [][2]int{{1, 2}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {8, 16, 1, 1}, {8, 16, 1, 1}}},
		{"4:1:1", [][2]int{{4, 1}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {16, 8, 2, 1}, {16, 8, 2, 1}}},
		{"4:1:0", [][2]int{{4, 2}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {16, 16, 2, 1}, {16, 16, 2, 1}}},
		{"3x1", [][2]int{{3, 1}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {8, 8, 3, 1}, {8, 8, 3, 1}}},
		{"1x4 (ratio capped at 2)", [][2]int{{1, 4}, {1, 1}, {1, 1}}, []out{{8, 8, 1, 1}, {8, 16, 1, 2}, {8, 16, 1, 2}}},
		{"luma subsampled", [][2]int{{1, 1}, {2, 2}, {2, 2}}, []out{{16, 16, 1, 1}, {8, 8, 1, 1}, {8, 8, 1, 1}}},
		{"gray 2x2", [][2]int{{2, 2}}, []out{{8, 8, 1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decoder{width: 100, height: 60, maxH: 1, maxV: 1}
			for _, f := range tt.factors {
				d.comps = append(d.comps, component{h: f[0], v: f[1]})
				d.maxH = max(d.maxH, f[0])
				d.maxV = max(d.maxV, f[1])
			}
			if err := d.setupComponents(); err != nil {
				t.Fatal(err)
			}
			for i, c := range d.comps {
				if got := (out{c.dctW, c.dctH, c.expH, c.expV}); got != tt.want[i] {
					t.Errorf("component %d: got %+v, want %+v", i, got, tt.want[i])
				}
				// The replicated IDCT output must cover the image.
				if c.bw*c.dctW*c.expH < d.width || c.bh*c.dctH*c.expV < d.height {
					t.Errorf("component %d: %dx%d blocks of %dx%d do not cover %dx%d", i, c.bw, c.bh, c.dctW, c.dctH, d.width, d.height)
				}
			}
		})
	}
}

// referenceIDCT is the real-valued scaled inverse DCT that the jidctint.c
// routines approximate: the 8x8 block is the low-frequency corner of a
// w x h DCT block, with the 8x8 normalization.
func referenceIDCT(b *[64]int16, q *[64]uint16, w, h int) []float64 {
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for v := 0; v < 8; v++ {
				for u := 0; u < 8; u++ {
					cu, cv := 1.0, 1.0
					if u == 0 {
						cu = math.Sqrt2 / 2
					}
					if v == 0 {
						cv = math.Sqrt2 / 2
					}
					f := float64(b[8*v+u]) * float64(q[8*v+u])
					s += cu * cv * f *
						math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*w)) *
						math.Cos(float64(2*y+1)*float64(v)*math.Pi/float64(2*h))
				}
			}
			out[y*w+x] = min(max(math.Round(s/4+128), 0), 255)
		}
	}
	return out
}

// TestIDCTAccuracy compares the four integer IDCTs with the real-valued
// transform on random blocks: jidctint.c's routines are accurate to one
// level. (Bit-exactness of islow and 16x16 is established by the fixture
// files; 16x8 and 8x16 are built from the same two passes.)
func TestIDCTAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{8, 8}, {16, 16}, {16, 8}, {8, 16}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			worst, differ, total := 0.0, 0, 0
			for n := 0; n < 300; n++ {
				var b [64]int16
				var q [64]uint16
				for i := range q {
					q[i] = uint16(1 + rng.IntN(20))
				}
				b[0] = int16(rng.IntN(80) - 40)
				for i := 1; i < 64; i++ {
					if rng.IntN(3) == 0 {
						b[i] = int16(rng.IntN(11) - 5)
					}
				}
				got := make([]byte, w*h)
				idct(&b, &q, w, h, got, w)
				want := referenceIDCT(&b, &q, w, h)
				for i := range got {
					d := math.Abs(float64(got[i]) - want[i])
					worst = max(worst, d)
					if d != 0 {
						differ++
					}
					total++
				}
			}
			t.Logf("%d of %d samples differ from the real-valued IDCT, max %v", differ, total, worst)
			if worst > 1 {
				t.Errorf("max difference %v, want <= 1", worst)
			}
		})
	}
}

// TestIDCTDCShortcut checks that the DC-only shortcut in idct gives what
// the full routines give, including values that wrap in libjpeg's range
// limit table.
func TestIDCTDCShortcut(t *testing.T) {
	var q [64]uint16
	for i := range q {
		q[i] = 1
	}
	for _, dc := range []int16{-2048, -1100, -1024, -600, -129, -3, 0, 5, 127, 600, 1023, 1024, 2047, 32767, -32768} {
		for _, size := range [][2]int{{8, 8}, {16, 16}, {16, 8}, {8, 16}} {
			w, h := size[0], size[1]
			var b [64]int16
			b[0] = dc
			fast := make([]byte, w*h)
			idct(&b, &q, w, h, fast, w)
			slow := make([]byte, w*h)
			var ws [128]int32
			switch {
			case w == 8 && h == 8:
				colPass8(&b, &q, (*[64]int32)(ws[:64]))
				rowPass8(ws[:64], 8, slow, w)
			case w == 16 && h == 16:
				colPass16(&b, &q, &ws)
				rowPass16(ws[:], 16, slow, w)
			case w == 16:
				colPass8(&b, &q, (*[64]int32)(ws[:64]))
				rowPass16(ws[:64], 8, slow, w)
			default:
				colPass16(&b, &q, &ws)
				rowPass8(ws[:], 16, slow, w)
			}
			if string(fast) != string(slow) {
				t.Errorf("DC %d, %dx%d: shortcut %v, full %v", dc, w, h, fast[:4], slow[:4])
			}
		}
	}
}

func TestRangeLimit(t *testing.T) {
	for _, tt := range []struct {
		x    int
		want uint8
	}{{-1024, 128}, {-600, 255}, {-512, 0}, {-129, 0}, {-128, 0}, {-1, 127}, {0, 128}, {127, 255}, {128, 255}, {511, 255}, {512, 0}, {895, 0}, {896, 0}, {1023, 127}} {
		if got := idctLimit[tt.x&1023]; got != tt.want {
			t.Errorf("range limit of %d: got %d, want %d", tt.x, got, tt.want)
		}
	}
}

func TestYCbCrTables(t *testing.T) {
	// Spot values of jdcolor.c's tables.
	if crR[0] != -179 || crR[255] != 178 || cbB[0] != -227 || cbB[255] != 225 {
		t.Errorf("crR[0]=%d crR[255]=%d cbB[0]=%d cbB[255]=%d", crR[0], crR[255], cbB[0], cbB[255])
	}
	out := make([]byte, 3)
	for _, tt := range []struct {
		y, cb, cr byte
		want      [3]byte
	}{
		{128, 128, 128, [3]byte{128, 128, 128}},
		{0, 0, 255, [3]byte{178, 0, 0}},
		{255, 255, 0, [3]byte{76, 255, 255}},
		{100, 90, 200, [3]byte{201, 62, 33}},
	} {
		yccRow(out, []byte{tt.y}, []byte{tt.cb}, []byte{tt.cr})
		if [3]byte(out) != tt.want {
			t.Errorf("YCbCr %d,%d,%d: got %v, want %v", tt.y, tt.cb, tt.cr, out, tt.want)
		}
	}
}

func TestSmoothingOK(t *testing.T) {
	full := func() component {
		c := component{qt: &[64]uint16{}}
		for i := range c.qt {
			c.qt[i] = 1
		}
		return c
	}
	tests := []struct {
		name   string
		prog   bool
		modify func(c *component)
		want   bool
	}{
		{"sequential", false, func(c *component) { c.coefBits[1] = 1 }, false},
		{"all refined", true, func(c *component) {}, false},
		{"AC1 at Al=1", true, func(c *component) { c.coefBits[1] = 1 }, true},
		{"AC5 never sent", true, func(c *component) { c.coefBits[5] = -1 }, true},
		{"AC6 never sent", true, func(c *component) { c.coefBits[6] = -1 }, false},
		{"no DC", true, func(c *component) { c.coefBits[0] = -1; c.coefBits[1] = 1 }, false},
		{"zero quantizer", true, func(c *component) { c.coefBits[1] = 1; c.qt[9] = 0 }, false},
		{"no table", true, func(c *component) { c.coefBits[1] = 1; c.qt = nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := full()
			tt.modify(&c)
			d := &decoder{progressive: tt.prog, comps: []component{c}}
			if got := d.smoothingOK(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDeriveTable(t *testing.T) {
	var raw rawHuffman
	raw.counts[1] = 3 // three 1-bit codes cannot exist
	if _, err := deriveTable(&raw, false); err == nil {
		t.Error("over-subscribed table accepted")
	}
	raw = rawHuffman{}
	raw.counts[2] = 1
	raw.vals[0] = 16
	if _, err := deriveTable(&raw, true); err == nil {
		t.Error("DC symbol 16 accepted")
	}
	if _, err := deriveTable(&raw, false); err != nil {
		t.Errorf("AC symbol 16 rejected: %v", err)
	}
}
