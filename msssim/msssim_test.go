package msssim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/msssim"
	"github.com/progan/progan/planar"
)

// The expected values in testdata/cases.json come from the oracle
// (msssimref.py, see docs/msssim.md) through testdata/gen.py; regenerate with
//
//	/usr/bin/python3 msssim/testdata/gen.py
//
// from the module root.

// Two tolerances, for the two expected values gen.py writes per case:
//
//   - want64, the oracle with its FFT convolution in double precision (what
//     scipy <= 1.3, and so the original evaluation of 2018, computed): this
//     package agrees to round-off, so tol64 is tight;
//   - want, the oracle as it runs under scipy >= 1.4, whose scipy.fft keeps the
//     float32 image arrays in single precision inside fftconvolve: its values
//     carry FFT round-off of up to about 2e-6 on these small images, so tolRaw
//     allows that (the brief asked for 1e-6; see the package comment).
const (
	tol64  = 1e-10
	tolRaw = 3e-6
)

// worst tracks the largest differences seen, for the test log.
type worst struct{ raw, f64 float64 }

func (w *worst) check(t *testing.T, got, want, want64 float64) {
	t.Helper()
	d, d64 := math.Abs(got-want), math.Abs(got-want64)
	w.raw, w.f64 = max(w.raw, d), max(w.f64, d64)
	if !(d64 <= tol64) {
		t.Errorf("got %.17g, float64 oracle %.17g (diff %.3g)", got, want64, d64)
	}
	if !(d <= tolRaw) {
		t.Errorf("got %.17g, oracle %.17g (diff %.3g)", got, want, d)
	}
}

func (w *worst) log(t *testing.T, n int) {
	t.Logf("%d cases: max |diff| %.3g from the float64 oracle, %.3g from the oracle as is", n, w.f64, w.raw)
}

type goldenImage struct {
	Off      int `json:"off"`
	Channels int `json:"channels"`
	Size     int `json:"size"`
}

type golden struct {
	Images []goldenImage `json:"images"`
	Pairs  []struct {
		Name   string  `json:"name"`
		A      int     `json:"a"`
		B      int     `json:"b"`
		Want   float64 `json:"want"`
		Want64 float64 `json:"want64"`
	} `json:"pairs"`
	Sets []struct {
		Name   string  `json:"name"`
		First  int     `json:"first"`
		Count  int     `json:"count"`
		Want   float64 `json:"want"`
		Want64 float64 `json:"want64"`
		Pairs  int     `json:"pairs"`
	} `json:"sets"`
	Pattern []struct {
		Name   string  `json:"name"`
		Size   int     `json:"size"`
		Count  int     `json:"count"`
		K      int     `json:"k"`
		Want   float64 `json:"want"`
		Want64 float64 `json:"want64"`
		Pairs  int     `json:"pairs"`
	} `json:"pattern"`
}

func load(t testing.TB) (*golden, []*planar.Image) {
	t.Helper()
	js, err := os.ReadFile(filepath.Join("testdata", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(js, &g); err != nil {
		t.Fatal(err)
	}
	blob, err := os.ReadFile(filepath.Join("testdata", "images.bin"))
	if err != nil {
		t.Fatal(err)
	}
	imgs := make([]*planar.Image, len(g.Images))
	for i, m := range g.Images {
		n := m.Channels * m.Size * m.Size
		imgs[i] = &planar.Image{Channels: m.Channels, Size: m.Size, Pix: blob[m.Off : m.Off+n]}
	}
	return &g, imgs
}

// pattern is P of docs/swd.md#reference-values: image n of a set, k the
// set's offset.
//
//	P(n,c,y,x;k) = (7x + 13y + 50c + (x·y mod 17) + 31n + 11k + ((x+k)(y+n) mod 29)) mod 256
func pattern(n, size, k int) *planar.Image {
	m := planar.NewImage(3, size)
	for c := range 3 {
		for y := range size {
			for x := range size {
				v := 7*x + 13*y + 50*c + (x*y)%17 + 31*n + 11*k + ((x+k)*(y+n))%29
				m.Pix[(c*size+y)*size+x] = byte(v % 256)
			}
		}
	}
	return m
}

func patternSet(count, size, k int) []*planar.Image {
	out := make([]*planar.Image, count)
	for n := range out {
		out[n] = pattern(n, size, k)
	}
	return out
}

func seq(imgs []*planar.Image) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		for _, m := range imgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

func TestOraclePairs(t *testing.T) {
	g, imgs := load(t)
	var w worst
	for _, c := range g.Pairs {
		t.Run(c.Name, func(t *testing.T) {
			got, err := msssim.Pair(imgs[c.A], imgs[c.B])
			if err != nil {
				t.Fatal(err)
			}
			w.check(t, got, c.Want, c.Want64)
		})
	}
	w.log(t, len(g.Pairs))
}

func TestOracleSets(t *testing.T) {
	g, imgs := load(t)
	var w worst
	for _, c := range g.Sets {
		for _, workers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", c.Name, workers), func(t *testing.T) {
				got, pairs, err := msssim.Score(context.Background(), seq(imgs[c.First:c.First+c.Count]), msssim.Options{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if pairs != c.Pairs {
					t.Errorf("%d pairs, want %d", pairs, c.Pairs)
				}
				w.check(t, got, c.Want, c.Want64)
			})
		}
	}
	w.log(t, len(g.Sets))
}

// TestOraclePattern covers RGB 128² and 256², the odd multiples 48 and 96,
// and a 517-image set that spans the oracle's minibatches of 256 and ends
// on an odd image.
func TestOraclePattern(t *testing.T) {
	g, _ := load(t)
	var w worst
	for _, c := range g.Pattern {
		t.Run(c.Name, func(t *testing.T) {
			got, pairs, err := msssim.Score(context.Background(), seq(patternSet(c.Count, c.Size, c.K)), msssim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if pairs != c.Pairs {
				t.Errorf("%d pairs, want %d", pairs, c.Pairs)
			}
			w.check(t, got, c.Want, c.Want64)
		})
	}
	w.log(t, len(g.Pattern))
}

// TestReferenceTable checks the values of docs/msssim.md#reference-values:
// pattern P, k = 0, four images, pairs (0,1)
// and (2,3). They reproduce to about 2e-7, not the 1e-9 the reference
// states: they were made with scipy 1.10, whose FFT of the float32 arrays
// runs in single precision (see tolRaw).
func TestReferenceTable(t *testing.T) {
	for _, c := range []struct {
		size int
		want float64
	}{
		{32, 0.6095269338271758},
		{64, 0.5981378543091551},
		{256, 0.6044926372618028},
	} {
		imgs := patternSet(4, c.size, 0)
		p0, err := msssim.Pair(imgs[0], imgs[1])
		if err != nil {
			t.Fatal(err)
		}
		p1, err := msssim.Pair(imgs[2], imgs[3])
		if err != nil {
			t.Fatal(err)
		}
		got := (p0 + p1) / 2
		if d := math.Abs(got - c.want); d > 1e-6 {
			t.Errorf("%d²: got %.17g, reference %.17g (diff %.3g)", c.size, got, c.want, d)
		}
	}
}

func TestIdentical(t *testing.T) {
	_, imgs := load(t)
	for i, m := range imgs {
		got, err := msssim.Pair(m, m)
		if err != nil {
			t.Fatal(err)
		}
		if got != 1 {
			t.Errorf("image %d: Pair(a, a) = %.17g", i, got)
		}
	}
}

func TestSymmetric(t *testing.T) {
	g, imgs := load(t)
	for _, c := range g.Pairs {
		ab, err1 := msssim.Pair(imgs[c.A], imgs[c.B])
		ba, err2 := msssim.Pair(imgs[c.B], imgs[c.A])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if ab != ba {
			t.Errorf("%s: Pair(a,b) = %.17g, Pair(b,a) = %.17g", c.Name, ab, ba)
		}
	}
}

// TestGrayTiled: a gray image equals its three-channel tiling.
func TestGrayTiled(t *testing.T) {
	g, imgs := load(t)
	tile := func(m *planar.Image) *planar.Image {
		if m.Channels == 3 {
			return m
		}
		return &planar.Image{Channels: 3, Size: m.Size, Pix: append(append(append([]byte(nil), m.Pix...), m.Pix...), m.Pix...)}
	}
	for _, c := range g.Pairs {
		a, b := imgs[c.A], imgs[c.B]
		if a.Channels == 3 && b.Channels == 3 {
			continue
		}
		x, _ := msssim.Pair(a, b)
		y, _ := msssim.Pair(tile(a), tile(b))
		if math.Abs(x-y) > 1e-12 {
			t.Errorf("%s: gray %.17g, tiled %.17g", c.Name, x, y)
		}
	}
}

func TestScoreProtocol(t *testing.T) {
	imgs := patternSet(9, 32, 4)
	// Consecutive pairs, the ninth image dropped, plain mean.
	var sum float64
	for i := 0; i+1 < len(imgs); i += 2 {
		v, err := msssim.Pair(imgs[i], imgs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	want := sum / 4
	var progress []int
	got, pairs, err := msssim.Score(context.Background(), seq(imgs), msssim.Options{Workers: 2, Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if got != want || pairs != 4 {
		t.Errorf("Score = %.17g over %d pairs, want %.17g over 4", got, pairs, want)
	}
	if len(progress) != 9 || slices.ContainsFunc(progress, func(n int) bool { return n != 1 }) {
		t.Errorf("progress calls %v, want nine deltas of 1", progress)
	}
	// The stream may reuse its image: Score copies.
	reuse := func(yield func(*planar.Image, error) bool) {
		buf := planar.NewImage(3, 32)
		for _, m := range imgs {
			copy(buf.Pix, m.Pix)
			if !yield(buf, nil) {
				return
			}
		}
	}
	got2, _, err := msssim.Score(context.Background(), reuse, msssim.Options{Workers: 3})
	if err != nil || got2 != want {
		t.Errorf("reused buffer: %.17g, %v; want %.17g", got2, err, want)
	}
}

func TestBadInputs(t *testing.T) {
	ok := pattern(0, 32, 0)
	for _, c := range []struct {
		name string
		a, b *planar.Image
		msg  string
	}{
		{"mixed sizes", ok, pattern(1, 64, 0), "sizes differ"},
		{"too small 8", pattern(0, 8, 0), pattern(1, 8, 0), "multiple of 16"},
		{"not a multiple of 16 (24)", pattern(0, 24, 0), pattern(1, 24, 0), "multiple of 16"},
		{"not a multiple of 16 (40)", pattern(0, 40, 0), pattern(1, 40, 0), "multiple of 16"},
		{"nil", ok, nil, "nil image"},
		{"2 channels", ok, &planar.Image{Channels: 2, Size: 32, Pix: make([]byte, 2*32*32)}, "channels"},
		{"short pixels", ok, &planar.Image{Channels: 3, Size: 32, Pix: make([]byte, 32*32)}, "bytes of pixels"},
	} {
		_, err := msssim.Pair(c.a, c.b)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}

func TestScoreErrors(t *testing.T) {
	ctx := context.Background()
	imgs := patternSet(6, 16, 0)
	for _, n := range []int{0, 1} {
		if _, _, err := msssim.Score(ctx, seq(imgs[:n]), msssim.Options{}); err == nil || !strings.Contains(err.Error(), "at least 2 images") {
			t.Errorf("%d images: error %v", n, err)
		}
	}
	mixed := append(append([]*planar.Image(nil), imgs[:3]...), pattern(3, 32, 0))
	if _, _, err := msssim.Score(ctx, seq(mixed), msssim.Options{}); err == nil || !strings.Contains(err.Error(), "image 3 is 32×32, image 0 is 16×16") {
		t.Errorf("mixed sizes: error %v", err)
	}
	bad := append(append([]*planar.Image(nil), imgs[:4]...), pattern(4, 24, 0), pattern(5, 24, 0))
	if _, _, err := msssim.Score(ctx, seq(bad), msssim.Options{}); err == nil || !strings.Contains(err.Error(), "image 4: size 24×24") {
		t.Errorf("bad size: error %v", err)
	}
	boom := errors.New("boom")
	failing := func(yield func(*planar.Image, error) bool) {
		for i, m := range imgs {
			if i == 5 {
				yield(nil, boom)
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
	if _, _, err := msssim.Score(ctx, failing, msssim.Options{}); !errors.Is(err, boom) || !strings.Contains(err.Error(), "image 5") {
		t.Errorf("stream error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	stopped := false
	endless := func(yield func(*planar.Image, error) bool) {
		for i := 0; ; i++ {
			if i == 10 {
				cancel()
			}
			if !yield(imgs[i%len(imgs)], nil) {
				stopped = true
				return
			}
		}
	}
	if _, _, err := msssim.Score(cctx, endless, msssim.Options{Workers: 2}); !errors.Is(err, context.Canceled) || !stopped {
		t.Errorf("cancel: error %v, stream stopped %v", err, stopped)
	}
}

func ExampleScore() {
	// Four 32×32 images of the reference's deterministic pattern
	// (docs/msssim.md#reference-values):
	// pairs (0,1) and (2,3).
	imgs := func(yield func(*planar.Image, error) bool) {
		for n := range 4 {
			m := planar.NewImage(3, 32)
			for c := range 3 {
				for y := range 32 {
					for x := range 32 {
						v := 7*x + 13*y + 50*c + (x*y)%17 + 31*n + (x*(y+n))%29
						m.Pix[(c*32+y)*32+x] = byte(v % 256)
					}
				}
			}
			if !yield(m, nil) {
				return
			}
		}
	}
	score, pairs, err := msssim.Score(context.Background(), imgs, msssim.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("MS-SSIM %-10.4f over %d pairs\n", score, pairs)
	// Output: MS-SSIM 0.6095     over 2 pairs
}

func BenchmarkPair256(b *testing.B) {
	x, y := pattern(0, 256, 0), pattern(1, 256, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := msssim.Pair(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	imgs := patternSet(512, 128, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := msssim.Score(context.Background(), seq(imgs), msssim.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/256, "ns/pair")
}

// TestConstant checks closed forms: for constant images x and y every
// variance is 0, so cs = 1 at every scale and the score is
// ((2xy + c1)/(x² + y² + c1))^0.1333.
func TestConstant(t *testing.T) {
	c1 := (0.01 * 255.0) * (0.01 * 255.0)
	for _, c := range []struct {
		x, y byte
		size int
	}{{7, 200, 32}, {0, 255, 16}, {128, 130, 64}, {0, 0, 16}, {255, 1, 48}} {
		a := planar.NewImage(3, c.size)
		b := planar.NewImage(1, c.size)
		for i := range a.Pix {
			a.Pix[i] = c.x
		}
		for i := range b.Pix {
			b.Pix[i] = c.y
		}
		x, y := float64(c.x), float64(c.y)
		want := math.Pow((2*x*y+c1)/(x*x+y*y+c1), 0.1333)
		got, err := msssim.Pair(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-13 {
			t.Errorf("%d vs %d at %d²: got %.17g, want %.17g", c.x, c.y, c.size, got, want)
		}
	}
}
