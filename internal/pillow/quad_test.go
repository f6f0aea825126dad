package pillow

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// point returns the quad whose four corners are (x, y): every output pixel
// of Quad then samples the source at that one point.
func point(x, y float32) [8]float32 {
	return [8]float32{x, y, x, y, x, y, x, y}
}

// Point samples of a 2×2 image, worked out by hand from Geometry.c's
// bilinear filter: the point moves by −0.5, columns and the top row are
// clamped, a missing bottom row repeats the top one, and the value is
// truncated. Points outside [0, 2)×[0, 2) are black.
func TestQuadPointSamples(t *testing.T) {
	src := gray(2, 2,
		10, 100,
		200, 50)
	tests := []struct {
		x, y float32
		want uint8
	}{
		{0.5, 0.5, 10}, // pixel centres
		{1.5, 0.5, 100},
		{0.5, 1.5, 200},
		{1.5, 1.5, 50},
		{1, 0.5, 55},       // 10 + 90·0.5
		{1, 1, 90},         // top 55, bottom 200 − 150·0.5 = 125; 55 + 70·0.5
		{1, 0.75, 72},      // 55 + 70·0.25 = 72.5, truncated
		{0.25, 0.25, 10},   // above and left of the first centre: clamped
		{0, 0, 10},         // the corner is inside
		{1.9, 0.5, 100},    // right of the last centre: column clamped
		{0.5, 1.9, 200},    // below the last centre: no bottom row
		{1.999, 1.999, 50}, // both
		{2, 0.5, 0},        // x = W is outside
		{0.5, 2, 0},        // y = H is outside
		{-0.001, 0.5, 0},   // left of the image
		{0.5, -0.001, 0},   // above the image
	}
	for _, tc := range tests {
		got := Quad(src, 1, 1, point(tc.x, tc.y))
		if got.Pix[0] != tc.want {
			t.Errorf("sample at (%v, %v) = %d, want %d", tc.x, tc.y, got.Pix[0], tc.want)
		}
	}
}

// TestQuadByHand checks whole small warps.
func TestQuadByHand(t *testing.T) {
	tests := []struct {
		name string
		src  *Image
		w, h int
		quad [8]float32
		want *Image
	}{
		// Without the caller's +0.5 the output pixel x samples source
		// x − 0.5: pixel 1 is the mean 15.5 of 10 and 21, truncated.
		{"half-pixel shift", gray(2, 1, 10, 21), 2, 1,
			[8]float32{0, 0, 0, 1, 2, 1, 2, 0}, gray(2, 1, 10, 15)},
		// Shifted one pixel left: the first output maps to x = −1.
		{"fill", gray(2, 1, 10, 21), 2, 1,
			[8]float32{-1, 0, -1, 1, 1, 1, 1, 0}, gray(2, 1, 0, 10)},
		// Mirrored: NW and NE swapped, output x samples 1.5 − x.
		{"mirror", rgb(2, 1, 1, 2, 3, 4, 5, 6), 2, 1,
			[8]float32{2.5, 0.5, 2.5, 1.5, 0.5, 1.5, 0.5, 0.5}, rgb(2, 1, 0, 0, 0, 4, 5, 6)},
		{"mirror inside", rgb(2, 1, 1, 2, 3, 4, 5, 6), 2, 1,
			[8]float32{1.5, 0.5, 1.5, 1.5, -0.5, 1.5, -0.5, 0.5}, rgb(2, 1, 4, 5, 6, 1, 2, 3)},
		// Twice the size: samples at 0.5, 1, 1.5, 2 (outside).
		{"upscale", gray(2, 1, 10, 21), 4, 1,
			[8]float32{0.5, 0.5, 0.5, 1.5, 2.5, 1.5, 2.5, 0.5}, gray(4, 1, 10, 15, 21, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Quad(tc.src, tc.w, tc.h, tc.quad)
			if got.Width != tc.want.Width || got.Height != tc.want.Height ||
				got.Channels != tc.want.Channels || !bytes.Equal(got.Pix, tc.want.Pix) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestQuadIdentity: with the +0.5 the create_celebahq caller adds, the quad
// of the whole image maps every output pixel onto its own centre.
func TestQuadIdentity(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {17, 31}, {64, 64}} {
		for _, ch := range []int{1, 3} {
			w, h := float32(sz[0]), float32(sz[1])
			src := noise(sz[0], sz[1], ch, 3)
			got := Quad(src, sz[0], sz[1], [8]float32{0.5, 0.5, 0.5, h + 0.5, w + 0.5, h + 0.5, w + 0.5, 0.5})
			if !bytes.Equal(got.Pix, src.Pix) {
				t.Errorf("%dx%d, %d channels: identity quad changed the image", sz[0], sz[1], ch)
			}
		}
	}
}

// quadProperties checks what must hold for any quad: the size, each RGB
// channel equal to the gray warp of that channel, and a constant image
// giving only that constant or black.
func quadProperties(t *testing.T, sw, sh, dw, dh int, q [8]float32, seed uint64) {
	t.Helper()
	src := noise(sw, sh, 3, seed)
	got := Quad(src, dw, dh, q)
	if got.Width != dw || got.Height != dh || got.Channels != 3 || len(got.Pix) != dw*dh*3 {
		t.Fatalf("%dx%d→%dx%d: got %dx%d×%d with %d samples", sw, sh, dw, dh,
			got.Width, got.Height, got.Channels, len(got.Pix))
	}
	for c := range 3 {
		g := New(sw, sh, 1)
		for i := range g.Pix {
			g.Pix[i] = src.Pix[3*i+c]
		}
		for i, v := range Quad(g, dw, dh, q).Pix {
			if got.Pix[3*i+c] != v {
				t.Fatalf("quad %v: channel %d pixel %d: RGB %d, gray %d", q, c, i, got.Pix[3*i+c], v)
			}
		}
	}
	v := uint8(seed) | 1
	k := New(sw, sh, 1)
	for i := range k.Pix {
		k.Pix[i] = v
	}
	for i, p := range Quad(k, dw, dh, q).Pix {
		if p != v && p != 0 {
			t.Fatalf("quad %v: constant %d became %d at %d", q, v, p, i)
		}
	}
}

func TestQuadProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		sw, sh := 1+r.IntN(40), 1+r.IntN(40)
		var q [8]float32
		for j := range q {
			// Corners mostly around the source, some well outside.
			q[j] = float32(r.NormFloat64()*30 + 20)
		}
		quadProperties(t, sw, sh, 1+r.IntN(40), 1+r.IntN(40), q, uint64(i))
	}
}

func FuzzQuad(f *testing.F) {
	f.Add(uint8(7), uint8(5), uint8(9), uint8(3), float32(0.5), float32(0.5), float32(0.5), float32(5.5),
		float32(7.5), float32(5.5), float32(7.5), float32(0.5), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(2), uint8(2), float32(-1), float32(2), float32(3), float32(-4),
		float32(1e30), float32(-1e30), float32(0), float32(0), uint64(2))
	f.Fuzz(func(t *testing.T, sw, sh, dw, dh uint8, q0, q1, q2, q3, q4, q5, q6, q7 float32, seed uint64) {
		quadProperties(t, int(sw%48)+1, int(sh%48)+1, int(dw%48)+1, int(dh%48)+1,
			[8]float32{q0, q1, q2, q3, q4, q5, q6, q7}, seed)
	})
}

// TestQuadNonFinite: NaN and infinite corners make every pixel they reach
// black instead of panicking.
func TestQuadNonFinite(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	src := noise(4, 4, 3, 9)
	for _, q := range [][8]float32{
		{nan, 0, 0, 4, 4, 4, 4, 0},
		{0, 0, 0, inf, 4, 4, 4, 0},
		{-inf, 0, 0, 4, 4, 4, 4, 0},
	} {
		got := Quad(src, 4, 4, q)
		if len(got.Pix) != 48 {
			t.Fatalf("quad %v: %d samples", q, len(got.Pix))
		}
	}
}
