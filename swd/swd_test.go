package swd

import (
	"context"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/progan/progan/planar"
)

// randomImages returns n smooth random c-channel images (a coarse lattice
// interpolated, plus noise), cheaply.
func randomImages(n, c, res int, seed uint64) []*planar.Image {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]*planar.Image, n)
	const grid = 6
	for i := range out {
		m := planar.NewImage(c, res)
		for ch := range c {
			var g [grid + 1][grid + 1]int
			for y := range g {
				for x := range g[y] {
					g[y][x] = r.IntN(256)
				}
			}
			for y := range res {
				iy, fy := y*grid/res, y*grid%res
				for x := range res {
					ix, fx := x*grid/res, x*grid%res
					v := (g[iy][ix]*(res-fy)*(res-fx) + g[iy+1][ix]*fy*(res-fx) +
						g[iy][ix+1]*(res-fy)*fx + g[iy+1][ix+1]*fy*fx) / (res * res)
					m.Pix[(ch*res+y)*res+x] = byte(min(max(v+r.IntN(9)-4, 0), 255))
				}
			}
		}
		out[i] = m
	}
	return out
}

func collect(t testing.TB, e *Evaluator, imgs []*planar.Image) *Descriptors {
	t.Helper()
	d, err := e.Collect(context.Background(), stream(imgs))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSelfDistanceIsZero(t *testing.T) {
	e, _ := New(Options{Seed: 3})
	d := collect(t, e, randomImages(8, 3, 32, 1))
	r, err := e.Compare(context.Background(), d, d)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(d.levels))
	dirs := make([][]float32, len(d.levels)*Repeats)
	for i := range dirs {
		dirs[i] = e.directions(i/Repeats, i%Repeats)
	}
	// The full computation too, not only Compare's shortcut.
	if err := compare(context.Background(), d, d, dirs, 2, out); err != nil {
		t.Fatal(err)
	}
	for l := range out {
		if out[l] != 0 || r.SWD[l] != 0 {
			t.Errorf("level %d: %v (Compare %v), want 0", l, out[l], r.SWD[l])
		}
	}
}

func TestSwapSymmetry(t *testing.T) {
	e, _ := New(Options{Seed: 5})
	a := collect(t, e, randomImages(10, 3, 64, 1))
	b := collect(t, e, randomImages(10, 3, 64, 2))
	ab, err := e.Compare(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := e.Compare(context.Background(), b, a)
	if err != nil {
		t.Fatal(err)
	}
	for l := range ab.SWD {
		if ab.SWD[l] <= 0 || math.Abs(ab.SWD[l]/ba.SWD[l]-1) > 1e-12 {
			t.Errorf("level %d: %v vs swapped %v", l, ab.SWD[l], ba.SWD[l])
		}
	}
}

func TestDeterminism(t *testing.T) {
	reals, fakes := randomImages(12, 3, 32, 1), randomImages(12, 3, 32, 2)
	run := func(seed uint64, workers int) *Result {
		r, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: seed, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := run(9, 1), run(9, 2), run(10, 2)
	if !slices.Equal(a.SWD, b.SWD) || a.Avg != b.Avg {
		t.Errorf("same seed: %v and %v", a.SWD, b.SWD)
	}
	if slices.Equal(a.SWD, c.SWD) {
		t.Errorf("seeds 9 and 10 agree: %v", a.SWD)
	}
	if !slices.Equal(a.Resolutions, []int{32, 16}) || a.Images != 12 || a.Seed != 9 {
		t.Errorf("result %+v", a)
	}
}

// The fast stream and the numpy stream give results within the random
// spread of each other (measured: a few per cent at this size).
func TestFastAgreesWithNumpy(t *testing.T) {
	reals := smooth(64, 64, 1001)
	fakes := perturb(smooth(64, 64, 1002), 1003)
	np, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: 1000, Numpy: true})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(3) {
		r, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for l := range r.SWD {
			if math.Abs(r.SWD[l]/np.SWD[l]-1) > 0.15 {
				t.Errorf("seed %d level %d: %.3f, numpy mode %.3f", seed, r.Resolutions[l], r.SWD[l], np.SWD[l])
			}
		}
	}
}

func TestGrayIsTiled(t *testing.T) {
	gray := randomImages(6, 1, 48, 3)
	rgb := make([]*planar.Image, len(gray))
	for i, g := range gray {
		rgb[i] = &planar.Image{Channels: 3, Size: g.Size, Pix: slices.Concat(g.Pix, g.Pix, g.Pix)}
	}
	fakes := randomImages(6, 3, 48, 4)
	for _, numpy := range []bool{false, true} {
		a, err := Distance(context.Background(), stream(gray), stream(fakes), Options{Seed: 2, Numpy: numpy})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Distance(context.Background(), stream(rgb), stream(fakes), Options{Seed: 2, Numpy: numpy})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.SWD, b.SWD) {
			t.Errorf("numpy %v: gray %v, tiled %v", numpy, a.SWD, b.SWD)
		}
	}
}

func TestProgress(t *testing.T) {
	var got []int
	opt := Options{Seed: 1, Progress: func(n int) { got = append(got, n) }}
	if _, err := Distance(context.Background(), stream(randomImages(5, 3, 16, 1)), stream(randomImages(5, 3, 16, 2)), opt); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

// The portable kernel, sort and conversions give the same distances as the
// AVX2 ones, up to float32 summation order.
func TestPortablePath(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2: the portable path is the only one")
	}
	reals, fakes := randomImages(20, 3, 64, 1), randomImages(20, 3, 64, 2)
	for _, numpy := range []bool{false, true} { // half and float32 storage
		opt := Options{Seed: 4, Numpy: numpy}
		fast, err := Distance(context.Background(), stream(reals), stream(fakes), opt)
		if err != nil {
			t.Fatal(err)
		}
		useAVX2 = false
		slow, err := Distance(context.Background(), stream(reals), stream(fakes), opt)
		useAVX2 = true
		if err != nil {
			t.Fatal(err)
		}
		for l := range fast.SWD {
			if math.Abs(fast.SWD[l]/slow.SWD[l]-1) > 1e-5 {
				t.Errorf("numpy %v level %d: AVX2 %v, portable %v", numpy, l, fast.SWD[l], slow.SWD[l])
			}
		}
	}
}

type errStream struct{}

func (errStream) Error() string { return "disk on fire" }

func TestBadInputs(t *testing.T) {
	good := randomImages(4, 3, 32, 1)
	mixed := slices.Concat(good[:2], randomImages(1, 3, 64, 2), good[2:])
	failing := func(after int) iter.Seq2[*planar.Image, error] {
		return func(yield func(*planar.Image, error) bool) {
			for i, m := range good {
				if i == after {
					yield(nil, errStream{})
					return
				}
				if !yield(m, nil) {
					return
				}
			}
		}
	}
	tests := []struct {
		name         string
		reals, fakes iter.Seq2[*planar.Image, error]
		opt          Options
		want         string
	}{
		{"no images", stream(nil), stream(good), Options{}, "0 images; at least 2"},
		{"one image", stream(good[:1]), stream(good[:1]), Options{}, "1 images; at least 2"},
		{"mixed sizes", stream(good), stream(mixed), Options{}, "fakes: image 2: 64×64, but image 0 is 32×32"},
		{"too small", stream(randomImages(3, 3, 15, 1)), stream(good), Options{}, "15×15 is smaller than 16×16"},
		{"stream error", failing(2), stream(good), Options{}, "reals: image 2: disk on fire"},
		{"two channels", stream([]*planar.Image{{Channels: 2, Size: 16, Pix: make([]byte, 512)}}), stream(good), Options{}, "2 channels"},
		{"short pixels", stream([]*planar.Image{{Channels: 3, Size: 16, Pix: make([]byte, 700)}}), stream(good), Options{}, "700 bytes"},
		{"nil image", stream([]*planar.Image{nil}), stream(good), Options{}, "image 0: nil"},
		{"unequal sets", stream(good), stream(good[:3]), Options{}, "4 and 3 images"},
		{"flat images", stream([]*planar.Image{planar.NewImage(3, 16), planar.NewImage(3, 16)}), stream(good), Options{}, "no variation"},
		{"numpy seed", stream(good), stream(good), Options{Numpy: true, Seed: 1 << 32}, "not in [0, 2^32)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Distance(context.Background(), tc.reals, tc.fakes, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name == "stream error" && !errors.As(err, new(errStream)) {
				t.Errorf("%v does not wrap the stream's error", err)
			}
		})
	}
	t.Run("mixed resolutions", func(t *testing.T) {
		e, _ := New(Options{})
		a := collect(t, e, good)
		b := collect(t, e, randomImages(4, 3, 64, 1))
		if _, err := e.Compare(context.Background(), a, b); err == nil || !strings.Contains(err.Error(), "32×32 images with 64×64") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("released", func(t *testing.T) {
		e, _ := New(Options{})
		a := collect(t, e, good)
		b := collect(t, e, good)
		if a.Bytes() == 0 {
			t.Error("no memory held")
		}
		b.Release()
		if _, err := e.Compare(context.Background(), a, b); err == nil || !strings.Contains(err.Error(), "released") {
			t.Errorf("error %v", err)
		}
		if b.Bytes() != 0 {
			t.Errorf("%d bytes held after Release", b.Bytes())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Distance(ctx, stream(good), stream(good), Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
	})
}

// bandPlane (whole levels) and upTaps.up (single pixels, the path of
// levels above 256²) agree bit for bit, odd sizes included; and patches
// cut through either path are the same.
func TestBandPaths(t *testing.T) {
	for _, size := range []int{16, 17, 33, 75, 100, 300, 512} {
		img := randomImages(1, 1, size, uint64(size))[0]
		p := plane(img.Pix)
		s := newPyrScratch(size)
		if len(s.sizes) > 1 {
			s.build(p)
		}
		for l := range len(s.sizes) - 1 {
			n := s.sizes[l]
			want := levelPlane(s, p, l)
			if fullBand(n) {
				if got := s.bandPlane(p, l); !slices.Equal(got, want) {
					t.Errorf("size %d level %d: bandPlane differs from up", size, l)
				}
			}
			r := rand.New(rand.NewPCG(uint64(n), 1))
			cx, cy := make([]int32, perImage), make([]int32, perImage)
			for i := range cx {
				cx[i], cy[i] = int32(half+r.IntN(n-2*half)), int32(half+r.IntN(n-2*half))
			}
			out := make([]float32, perImage*dim)
			s.patches(p, l, 1, cx, cy, out)
			for i := range cx {
				for a := range nhood {
					for b := range nhood {
						w := want[(int(cy[i])-half+b)*n+int(cx[i])-half+a]
						if g := out[at(i, nhood*nhood+a*nhood+b)]; g != w {
							t.Fatalf("size %d level %d patch %d (%d,%d): %v, want %v", size, l, i, a, b, g, w)
						}
					}
				}
			}
		}
	}
}

// The first blur's byte path (AVX2) equals the float64 one.
func TestBlurDownBytes(t *testing.T) {
	for _, n := range []int{16, 24, 25, 31, 32, 33, 47, 48, 50, 64, 100, 128, 513, 1024} {
		p := randomImages(1, 1, n, uint64(n))[0].Pix
		m := (n + 1) / 2
		want, got := make([]float32, m*m), make([]float32, m*m)
		blurDown(want, n, func(y int, buf []float64) {
			for i, v := range p[y*n : y*n+n] {
				buf[i] = float64(v)
			}
		}, make([]float64, n), make([]float64, n*m))
		if !blurDownU8(got, p, n, make([]uint16, (n+15)&^15)) {
			if useAVX2 && n >= 24 {
				t.Fatalf("size %d: byte path refused", n)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("size %d: byte path differs", n)
		}
	}
}

func TestHalf(t *testing.T) {
	for h := range 1 << 16 {
		f := fromHalf(uint16(h))
		if f != f { // NaN
			continue
		}
		if got := toHalf(f); got != uint16(h) {
			t.Fatalf("toHalf(fromHalf(%#04x) = %v) = %#04x", h, f, got)
		}
		if h&0x7fff < 0x7c00 && h&0x7fff != 0x7bff { // finite and not the largest: halfway up rounds to even
			up := fromHalf(uint16(h + 1))
			mid := float32((float64(f) + float64(up)) / 2)
			want := uint16(h) // ties go to the even pattern, of either sign
			if h&1 == 1 {
				want = uint16(h + 1)
			}
			if got := toHalf(mid); got != want {
				t.Fatalf("toHalf(%v, between %#04x and %#04x) = %#04x, want %#04x", mid, h, h+1, got, want)
			}
		}
	}
	// The F16C conversion agrees with the portable one.
	r := rand.New(rand.NewPCG(1, 1))
	src := make([]float32, 4096)
	for i := range src {
		src[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-30)))
		if i%7 == 0 { // exact ties
			src[i] = fromHalf(uint16(r.IntN(0x7bff))) + float32(math.Ldexp(1, -25))
		}
	}
	a, b := make([]uint16, len(src)), make([]uint16, len(src))
	toHalfs(a, src)
	toHalfsPortable(b, src)
	if !slices.Equal(a, b) {
		t.Error("toHalfs and toHalfsPortable differ")
	}
	// The low-pass level's fixed point: round(256·(v - 128)).
	for _, v := range []float32{0, 1, 128, 255, 0.5 / 256, 1.5 / 256, 127.99, 200.00390625} {
		got := float64(int16(toFixed(v)))/256 + 128
		if want := math.RoundToEven(float64(v)*256) / 256; got != want {
			t.Errorf("fixed(%v) stands for %v, want %v", v, got, want)
		}
	}
}

func TestSortKeysDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, 7, 1000, bigSort - 1, bigSort + 3} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i] = float32(r.NormFloat64())
			b[i] = float32(r.NormFloat64()*1.1 + 0.05)
		}
		if n == 7 {
			b = slices.Repeat([]float32{2}, 7) // no pass needed
		}
		sa, sb := slices.Clone(a), slices.Clone(b)
		slices.Sort(sa)
		slices.Sort(sb)
		var want float64
		for i := range sa {
			want += math.Abs(float64(sa[i]) + 0.25 - float64(sb[i]))
		}
		rd := new(radix)
		ka, kb := slices.Clone(a), slices.Clone(b)
		toKeys(ka)
		toKeys(kb)
		keys := func(x []float32) []uint32 { return unsafe.Slice((*uint32)(unsafe.Pointer(&x[0])), len(x)) }
		ref := sortKeys(keys(ka), make([]uint32, n), rd)
		if !slices.Equal(ref, sa) {
			t.Fatalf("n %d: sortKeys differs from slices.Sort", n)
		}
		got := sortKeysDiff(keys(kb), make([]uint32, n), rd, ref, 0.25)
		if math.Abs(got-want) > 1e-12*want {
			t.Errorf("n %d: %v, want %v", n, got, want)
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	reals, fakes := randomImages(1024, 3, 128, 1), randomImages(1024, 3, 128, 2)
	for _, numpy := range []bool{false, true} {
		name := "fast"
		if numpy {
			name = "numpy"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: 1, Numpy: numpy}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
