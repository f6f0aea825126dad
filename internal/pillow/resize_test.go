package pillow

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"testing"
)

// Cases small enough to follow by hand. Resizing 2 samples to 1 gives both
// the weight 0.5 exactly (the kernel is symmetric), so the output is
// trunc(0.5 + a/2 + b/2): the mean rounded half up. Growing a single sample
// gives it the weight 1 (w/w) in every output.
func TestResizeByHand(t *testing.T) {
	tests := []struct {
		name string
		src  *Image
		w, h int
		want *Image
	}{
		{"same size is a copy", gray(2, 1, 3, 250), 2, 1, gray(2, 1, 3, 250)},
		{"one pixel up", gray(1, 1, 77), 3, 2, gray(3, 2, 77, 77, 77, 77, 77, 77)},
		{"one RGB pixel up", rgb(1, 1, 1, 128, 255), 2, 1, rgb(2, 1, 1, 128, 255, 1, 128, 255)},
		{"mean 0.5 rounds up", gray(2, 1, 0, 1), 1, 1, gray(1, 1, 1)},
		{"mean 1.5 rounds up", gray(2, 1, 1, 2), 1, 1, gray(1, 1, 2)},
		{"mean 3.5 rounds up", gray(2, 1, 4, 3), 1, 1, gray(1, 1, 4)},
		{"mean 127.5 rounds up", gray(2, 1, 0, 255), 1, 1, gray(1, 1, 128)},
		{"mean 254.5 rounds up", gray(2, 1, 255, 254), 1, 1, gray(1, 1, 255)},
		{"exact mean", gray(2, 1, 10, 20), 1, 1, gray(1, 1, 15)},
		{"vertical", gray(1, 2, 10, 13), 1, 1, gray(1, 1, 12)},
		{"RGB per channel", rgb(2, 1, 0, 10, 255, 1, 20, 254), 1, 1, rgb(1, 1, 1, 15, 255)},
		// The rows become 1 and 2 in the 8-bit intermediate, then their
		// mean 1.5 rounds up to 2, although the mean of the four is 1.
		{"8-bit intermediate", gray(2, 2, 0, 1, 1, 2), 1, 1, gray(1, 1, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Resize(tc.src, tc.w, tc.h)
			if got.Width != tc.want.Width || got.Height != tc.want.Height ||
				got.Channels != tc.want.Channels || !bytes.Equal(got.Pix, tc.want.Pix) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	src := gray(1, 1, 5)
	if dst := Resize(src, 1, 1); &dst.Pix[0] == &src.Pix[0] {
		t.Error("Resize to the same size returned the source's pixels, not a copy")
	}
}

// TestLanczos checks the kernel's edges: the interval is half-open, and
// float32 π makes the zeros at ±1 and ±2 inexact, as in Pillow.
func TestLanczos(t *testing.T) {
	tests := []struct {
		x         float32
		want, tol float64
	}{
		{0, 1, 0},
		{3, 0, 0},
		{-3.5, 0, 0},
		{0.5, 2 / math.Pi * math.Sin(math.Pi/6) / (math.Pi / 6), 1e-7},
		{-0.5, 2 / math.Pi * math.Sin(math.Pi/6) / (math.Pi / 6), 1e-7},
		{1, 0, 1e-7},
		{-3, 0, 1e-7},
	}
	for _, tc := range tests {
		got := float64(lanczos(tc.x))
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("lanczos(%v) = %v, want %v ± %v", tc.x, got, tc.want, tc.tol)
		}
	}
	if lanczos(-3) == 0 || lanczos(1) == 0 {
		t.Errorf("lanczos(-3) = %v, lanczos(1) = %v; want the small non-zero float32 values",
			lanczos(-3), lanczos(1))
	}
	if lanczos(0.25) != lanczos(-0.25) {
		t.Error("kernel not symmetric")
	}
}

// TestCoeffs checks the structure of the weight tables: windows inside the
// input, at most Pillow's kmax = 2·ceil(support)+1 taps, weights summing to
// one.
func TestCoeffs(t *testing.T) {
	tests := []struct{ n, m, taps int }{
		{4096, 1024, 25}, {1024, 4096, 7}, {257, 256, 7}, {150, 256, 7},
		{256, 64, 25}, {1501, 750, 13}, {1, 5, 1}, {5, 1, 5}, {7, 7, 7}, {2, 2, 2},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d→%d", tc.n, tc.m), func(t *testing.T) {
			c := computeCoeffs(tc.n, tc.m)
			if c.taps > tc.taps {
				t.Errorf("taps = %d, want ≤ %d", c.taps, tc.taps)
			}
			for i, s := range c.start {
				if s < 0 || s+c.taps > tc.n {
					t.Fatalf("output %d: window [%d, %d) outside [0, %d)", i, s, s+c.taps, tc.n)
				}
				var sum float64
				for _, w := range c.w[i*c.taps:][:c.taps] {
					sum += float64(w)
				}
				if math.Abs(sum-1) > 1e-5 {
					t.Fatalf("output %d: weights sum to %v", i, sum)
				}
			}
		})
	}
}

// TestSameSizePass checks the pass Pillow runs along an axis whose size
// does not change (e.g. 300×256 → 256×256 filters the columns 256 → 256):
// the weights are not exactly 0 and 1 (float32 π), but the pass gives back
// its input.
func TestSameSizePass(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 255, 256, 1000} {
		for _, ch := range []int{1, 3} {
			src := noise(n, 3, ch, uint64(n))
			dst := New(n, 3, ch)
			resampleRows(dst, src, computeCoeffs(n, n))
			if !bytes.Equal(dst.Pix, src.Pix) {
				t.Errorf("n = %d, %d channels: the %d→%d pass changed the image", n, ch, n, n)
			}
		}
	}
}

// resizeProperties checks what must hold for any resize: the size, each
// RGB channel equal to the gray resize of that channel, and a constant
// image staying constant.
func resizeProperties(t *testing.T, sw, sh, dw, dh int, seed uint64) {
	t.Helper()
	src := noise(sw, sh, 3, seed)
	got := Resize(src, dw, dh)
	if got.Width != dw || got.Height != dh || got.Channels != 3 || len(got.Pix) != dw*dh*3 {
		t.Fatalf("%dx%d→%dx%d: got %dx%d×%d with %d samples", sw, sh, dw, dh,
			got.Width, got.Height, got.Channels, len(got.Pix))
	}
	for c := range 3 {
		g := New(sw, sh, 1)
		for i := range g.Pix {
			g.Pix[i] = src.Pix[3*i+c]
		}
		gg := Resize(g, dw, dh)
		for i, v := range gg.Pix {
			if got.Pix[3*i+c] != v {
				t.Fatalf("%dx%d→%dx%d: channel %d sample %d: RGB %d, gray %d",
					sw, sh, dw, dh, c, i, got.Pix[3*i+c], v)
			}
		}
	}
	v := uint8(seed)
	k := New(sw, sh, 1)
	for i := range k.Pix {
		k.Pix[i] = v
	}
	for i, p := range Resize(k, dw, dh).Pix {
		if p != v {
			t.Fatalf("%dx%d→%dx%d: constant %d became %d at %d", sw, sh, dw, dh, v, p, i)
		}
	}
}

func TestResizeProperties(t *testing.T) {
	sizes := []int{1, 2, 3, 5, 8, 13, 31, 64, 100}
	seed := uint64(0)
	for _, sw := range sizes {
		for _, dw := range sizes {
			seed++
			sh, dh := sizes[int(seed)%len(sizes)], sizes[int(seed*7)%len(sizes)]
			resizeProperties(t, sw, sh, dw, dh, seed)
		}
	}
}

func FuzzResize(f *testing.F) {
	f.Add(uint8(7), uint8(5), uint8(3), uint8(9), uint64(1))
	f.Add(uint8(0), uint8(0), uint8(0), uint8(0), uint64(255))
	f.Add(uint8(63), uint8(1), uint8(1), uint8(63), uint64(128))
	f.Fuzz(func(t *testing.T, sw, sh, dw, dh uint8, seed uint64) {
		resizeProperties(t, int(sw%64)+1, int(sh%64)+1, int(dw%64)+1, int(dh%64)+1, seed)
	})
}

// TestResizeEmpty follows Pillow on an empty source: no input samples,
// so every output is trunc(0.5) = 0.
func TestResizeEmpty(t *testing.T) {
	got := Resize(New(0, 3, 3), 2, 2)
	if !bytes.Equal(got.Pix, make([]uint8, 12)) {
		t.Errorf("got %v", got.Pix)
	}
}

// TestResizeConcurrent resizes between many size pairs from several
// goroutines at once, more pairs than the cache holds, and compares with
// sequential results.
func TestResizeConcurrent(t *testing.T) {
	type job struct{ n, m int }
	var jobs []job
	for n := 10; n < 10+cacheSize+10; n++ {
		jobs = append(jobs, job{n, 17})
	}
	src := map[int]*Image{}
	want := map[job][]uint8{}
	for _, j := range jobs {
		src[j.n] = noise(j.n, j.n, 3, uint64(j.n))
		want[j] = Resize(src[j.n], j.m, j.m).Pix
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(jobs)*4)
	for g := range 4 {
		wg.Go(func() {
			for i := range jobs {
				j := jobs[(i+g*7)%len(jobs)]
				if got := Resize(src[j.n], j.m, j.m).Pix; !bytes.Equal(got, want[j]) {
					errs <- fmt.Sprintf("%d→%d differs", j.n, j.m)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	cache.Lock()
	n, o := len(cache.m), len(cache.order)
	cache.Unlock()
	if n > cacheSize || n != o {
		t.Errorf("cache holds %d entries (%d in order), want ≤ %d", n, o, cacheSize)
	}
}
