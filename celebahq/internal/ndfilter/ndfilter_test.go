package ndfilter

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// golden mirrors testdata/golden.json (written by testdata/gen_golden.py).
type golden struct {
	Reflect []struct {
		N        int `json:"n"`
		NumPy117 string
		Legacy   string
	}
	ReflectExamples []struct {
		N, Before, After int
		NumPy117         []int `json:"numpy117"`
		Legacy           []int
	} `json:"reflect_examples"`
	Kernels []struct {
		Sigma        string
		Radius       int
		MD5          string
		ScipyDiffers int `json:"scipy_differs"`
	}
	Exp      [][3]any
	Gaussian []struct {
		File         string
		H, W, C      int
		SigmaY       float64 `json:"sigma_y"`
		SigmaX       float64 `json:"sigma_x"`
		MD5          string
		ScipyDiffers int `json:"scipy_differs"`
	}
	Median []struct {
		File    string
		H, W, C int
		Median  []float64
	}
	PadBranch []struct {
		File     string
		H, W     int
		Pad      [4]int
		Blur     float64
		NumPy117 trace `json:"numpy117"`
		Legacy   trace
	} `json:"pad_branch"`
	Plans []struct {
		Quad   [4][2]float64
		W, H   int
		Border int
		Zoom   string
		Raw    [4]int
		Apply  bool
		Pad    [4]int
		Blur   string
	}
}

type trace struct {
	Padded, Mask, Gaussian string
	AfterBlurBlend         string `json:"after_blur_blend"`
	Median                 []float64
	AfterMedianBlend       string `json:"after_median_blend"`
	Output                 string
	Shape                  [3]int
	GaussianCREqual        bool `json:"gaussian_cr_equal"`
}

var loadGolden = sync.OnceValues(func() (*golden, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		return nil, err
	}
	g := new(golden)
	if err := json.Unmarshal(b, g); err != nil {
		return nil, fmt.Errorf("testdata/golden.json: %w", err)
	}
	return g, nil
})

func mustGolden(t testing.TB) *golden {
	t.Helper()
	g, err := loadGolden()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func hexFloat(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad hex float %q: %v", s, err)
	}
	return v
}

func md5f32(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func md5f64(v []float64) string {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func md5u8(v []uint8) string {
	s := md5.Sum(v)
	return hex.EncodeToString(s[:])
}

func readF32(t testing.TB, name string, w, h, c int) *Image {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4*w*h*c {
		t.Fatalf("%s: %d bytes, want %d", name, len(b), 4*w*h*c)
	}
	m := NewImage(w, h, c)
	for i := range m.Pix {
		m.Pix[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return m
}

func TestReflectIndexGolden(t *testing.T) {
	g := mustGolden(t)
	for _, want := range g.Reflect {
		for _, mode := range []Reflect{ReflectLegacy, ReflectNumPy117} {
			h := md5.New()
			for b := 0; b <= 24; b++ {
				for a := 0; a <= 24; a++ {
					for _, v := range reflectIndex(want.N, b, a, mode) {
						binary.Write(h, binary.LittleEndian, int32(v))
					}
				}
			}
			w := want.NumPy117
			if mode == ReflectLegacy {
				w = want.Legacy
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != w {
				t.Errorf("n=%d %v: md5 of all pads 0..24² = %s, want %s", want.N, mode, got, w)
			}
		}
	}
	for _, ex := range g.ReflectExamples {
		if got := reflectIndex(ex.N, ex.Before, ex.After, ReflectNumPy117); !slices.Equal(got, ex.NumPy117) {
			t.Errorf("n=%d pad (%d,%d) numpy>=1.17: %v, want %v", ex.N, ex.Before, ex.After, got, ex.NumPy117)
		}
		if got := reflectIndex(ex.N, ex.Before, ex.After, ReflectLegacy); !slices.Equal(got, ex.Legacy) {
			t.Errorf("n=%d pad (%d,%d) legacy: %v, want %v", ex.N, ex.Before, ex.After, got, ex.Legacy)
		}
	}
}

// The legacy algorithm is the periodic extension with period 2(n−1); check
// the simulation against that closed form on larger sizes than the golden.
func TestReflectLegacyPeriodic(t *testing.T) {
	for n := 2; n <= 40; n++ {
		for _, b := range []int{0, 1, n - 2, n - 1, n, 2*n - 3, 3 * n, 7*n + 5} {
			for _, a := range []int{0, 1, n - 1, n + 1, 4*n - 1, 9 * n} {
				if b < 0 || a < 0 {
					continue
				}
				got := reflectIndex(n, b, a, ReflectLegacy)
				for i, s := range got {
					p := (i - b) % (2 * (n - 1))
					if p < 0 {
						p += 2 * (n - 1)
					}
					if p >= n {
						p = 2*(n-1) - p
					}
					if s != p {
						t.Fatalf("n=%d pad (%d,%d): position %d copies %d, periodic extension says %d", n, b, a, i, s, p)
					}
				}
			}
		}
	}
}

func TestPadReflectErrors(t *testing.T) {
	tests := []struct {
		name string
		m    *Image
		pad  [4]int
		mode Reflect
		want string
	}{
		{"negative", NewImage(3, 3, 1), [4]int{1, -1, 0, 0}, ReflectLegacy, "negative pad"},
		{"empty rows", NewImage(3, 0, 1), [4]int{0, 1, 0, 0}, ReflectLegacy, "empty"},
		{"empty cols", NewImage(0, 3, 1), [4]int{0, 0, 2, 0}, ReflectNumPy117, "empty"},
		{"bad mode", NewImage(3, 3, 1), [4]int{1, 1, 1, 1}, Reflect(7), "unknown reflect mode"},
		{"short pix", &Image{W: 3, H: 3, C: 1, Pix: make([]float32, 8)}, [4]int{}, ReflectLegacy, "holds 8 samples"},
		{"nil", nil, [4]int{}, ReflectLegacy, "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PadReflect(tt.m, tt.pad, tt.mode)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("PadReflect error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	// Padding an empty axis by nothing is fine, as in NumPy.
	if m, err := PadReflect(NewImage(0, 2, 3), [4]int{0, 1, 0, 1}, ReflectLegacy); err != nil || m.H != 4 || m.W != 0 {
		t.Fatalf("PadReflect of 2×0 image: %v, %+v", err, m)
	}
}

func TestExpCR(t *testing.T) {
	g := mustGolden(t)
	libmDiffers := 0
	for _, e := range g.Exp {
		x, want := hexFloat(t, e[0].(string)), hexFloat(t, e[1].(string))
		if got := expCR(x); got != want {
			t.Errorf("expCR(%x) = %x, want %x", x, got, want)
		}
		if !e[2].(bool) {
			libmDiffers++
		}
	}
	if libmDiffers == 0 {
		t.Error("golden has no argument where libm exp is not correctly rounded; the hard cases are missing")
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 700, -700, 709, -745, math.Inf(-1)} {
		if got, want := expCR(x), math.Exp(x); math.Abs(got-want) > 1e-15*want {
			t.Errorf("expCR(%v) = %v, want about %v", x, got, want)
		}
	}
}

func TestGaussianKernel(t *testing.T) {
	g := mustGolden(t)
	differ := 0
	for _, k := range g.Kernels {
		s := hexFloat(t, k.Sigma)
		r := GaussianRadius(s)
		if r != k.Radius {
			t.Errorf("σ=%v: radius %d, want %d", s, r, k.Radius)
		}
		w := GaussianKernel(s, r)
		if got := md5f64(w); got != k.MD5 {
			t.Errorf("σ=%v: kernel md5 %s, want %s", s, got, k.MD5)
		}
		if k.ScipyDiffers > 0 {
			differ++
		}
	}
	t.Logf("%d of %d kernels differ from scipy's (glibc exp) in some last bit", differ, len(g.Kernels))
}

func TestGaussianFilterGolden(t *testing.T) {
	g := mustGolden(t)
	for _, c := range g.Gaussian {
		t.Run(c.File, func(t *testing.T) {
			m := readF32(t, c.File, c.W, c.H, c.C)
			orig := slices.Clone(m.Pix)
			out, err := GaussianFilter(m, c.SigmaY, c.SigmaX)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5f32(out.Pix); got != c.MD5 {
				t.Errorf("%d×%d×%d σ=(%v,%v): md5 %s, want %s", c.H, c.W, c.C, c.SigmaY, c.SigmaX, got, c.MD5)
			}
			if !slices.Equal(m.Pix, orig) {
				t.Error("GaussianFilter modified its input")
			}
		})
	}
}

// The result must not depend on the number of goroutines or on the tiling,
// and must equal NI_Correlate1D transcribed literally. The data makes the
// float32 results depend on the summation order (see cancelLines).
func TestGaussianFilterDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		w, h   int
		sy, sx float64
	}{
		{"axis0", (tile + 37) / 3, 150, 6.3, 0},
		{"axis1", 150, 70, 0, 6.3},
		{"both", tile/3 + 5, 140, 4.1, 2.2},
	}
	for _, tt := range tests {
		m := NewImage(tt.w, tt.h, 3)
		for i := range m.Pix {
			m.Pix[i] = float32(rng.NormFloat64() * 80)
		}
		if tt.sy > 0 {
			cancelLines(rng, m.H, m.W*3, tt.sy, func(l, i int) *float32 { return &m.Pix[i*m.W*3+l] })
		} else {
			cancelLines(rng, m.W, m.H*3, tt.sx, func(l, i int) *float32 { return &m.Pix[(l/3)*m.W*3+i*3+l%3] })
		}
		ref := naiveGaussian(m, tt.sy, tt.sx)
		for _, procs := range []int{1, 3} {
			old := runtimeProcs(procs)
			out, err := GaussianFilter(m, tt.sy, tt.sx)
			runtimeProcs(old)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDiff(out.Pix, ref.Pix); i >= 0 {
				t.Fatalf("%s GOMAXPROCS=%d: sample %d = %v, naive scipy loop gives %v", tt.name, procs, i, out.Pix[i], ref.Pix[i])
			}
		}
	}
}

// cancelLines overwrites lines of length n (sample i of line l at at(l, i))
// so that one output per line is A·w[0] nearly cancelled by a pair
// (hi, lo) plus a small third term: its float32 value then depends on the
// order the terms are added in (outermost pair first in scipy).
func cancelLines(rng *rand.Rand, n, lines int, sigma float64, at func(l, i int) *float32) {
	r := GaussianRadius(sigma)
	w := GaussianKernel(sigma, r)[r:]
	for l := range lines {
		for i := range n {
			*at(l, i) = 0
		}
		k := 2 + l%(r-1)
		j := 1 + (l/3)%(k-1)
		c := r + rng.IntN(n-2*r)
		a := float32(0.5 + 1.5*rng.Float64())
		p := -float64(a) * w[0] / w[k]
		hi := float32(p)
		*at(l, c) = a
		*at(l, c-k) = hi
		*at(l, c+k) = float32(p - float64(hi))
		*at(l, c-j) = float32((2*rng.Float64() - 1) * float64(a) * 0x1p-46 / w[j])
	}
}

func runtimeProcs(n int) int { return runtime.GOMAXPROCS(n) }

func firstDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// naiveGaussian is NI_Correlate1D transcribed one line at a time (line
// buffer extended by NI_ExtendLine's reflect loops), axis 0 then axis 1.
func naiveGaussian(m *Image, sy, sx float64) *Image {
	out := &Image{W: m.W, H: m.H, C: m.C, Pix: slices.Clone(m.Pix)}
	pass := func(sigma float64, n int, at func(line, i int) *float32, lines int) {
		r := GaussianRadius(sigma)
		fw := GaussianKernel(sigma, r)
		for l := range lines {
			buf := make([]float64, n+2*r)
			for i := range n {
				buf[r+i] = float64(*at(l, i))
			}
			// NI_EXTEND_REFLECT
			first, last := r, r+n
			dst, src, before := first-1, first, r
			for before > 0 && src < last {
				buf[dst] = buf[src]
				dst--
				src++
				before--
			}
			src = last - 1
			for ; before > 0; before-- {
				buf[dst] = buf[src]
				dst--
				src--
			}
			dst, src, after := last, last-1, r
			for after > 0 && src >= first {
				buf[dst] = buf[src]
				dst++
				src--
				after--
			}
			src = first
			for ; after > 0; after-- {
				buf[dst] = buf[src]
				dst++
				src++
			}
			for i := range n {
				iline := buf[i+r:]
				acc := iline[0] * fw[r]
				for jj := -r; jj < 0; jj++ {
					acc += float64((buf[i+r+jj] + iline[-jj]) * fw[r+jj])
				}
				*at(l, i) = float32(acc)
			}
		}
	}
	w, c := m.W, m.C
	if sy > 1e-15 {
		pass(sy, m.H, func(l, i int) *float32 { return &out.Pix[i*w*c+l] }, w*c)
	}
	if sx > 1e-15 {
		pass(sx, m.W, func(l, i int) *float32 { return &out.Pix[(l/c)*w*c+i*c+l%c] }, m.H*c)
	}
	return out
}

func TestGaussianFilterErrors(t *testing.T) {
	for _, s := range []float64{math.NaN(), math.Inf(1), 1e300} {
		if _, err := GaussianFilter(NewImage(2, 2, 1), s, 1); err == nil || !strings.Contains(err.Error(), "σ") {
			t.Errorf("σ=%v: error %v", s, err)
		}
	}
	// σ ≤ 1e-15 skips the axis, negative included, as scipy does.
	m := NewImage(3, 2, 1)
	copy(m.Pix, []float32{1, 2, 3, 4, 5, 6})
	out, err := GaussianFilter(m, -1, 1e-16)
	if err != nil || !slices.Equal(out.Pix, m.Pix) {
		t.Errorf("skipped axes: %v, %v", out, err)
	}
}

func TestMedianGolden(t *testing.T) {
	g := mustGolden(t)
	for _, c := range g.Median {
		m := readF32(t, c.File, c.W, c.H, c.C)
		got, err := Median(m)
		if err != nil {
			t.Fatal(err)
		}
		for ch, want := range c.Median {
			if got[ch] != float32(want) {
				t.Errorf("%s channel %d: median %v, want %v", c.File, ch, got[ch], float32(want))
			}
		}
	}
}

func TestMedianSortReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		w, h := 1+rng.IntN(40), 1+rng.IntN(40)
		m := NewImage(w, h, 2)
		for i := range m.Pix {
			switch trial % 3 {
			case 0:
				m.Pix[i] = float32(rng.NormFloat64() * 1e3)
			case 1:
				m.Pix[i] = float32(rng.IntN(5)) - 2 // many ties, negatives
			default:
				m.Pix[i] = float32(rng.ExpFloat64() * 1e-30)
			}
		}
		got, err := Median(m)
		if err != nil {
			t.Fatal(err)
		}
		for c := range 2 {
			v := make([]float32, 0, w*h)
			for i := c; i < len(m.Pix); i += 2 {
				v = append(v, m.Pix[i])
			}
			slices.Sort(v)
			want := v[len(v)/2]
			if len(v)%2 == 0 {
				want = (v[len(v)/2-1] + v[len(v)/2]) / 2
			}
			if got[c] != want {
				t.Fatalf("trial %d %d×%d channel %d: %v, want %v", trial, h, w, c, got[c], want)
			}
		}
	}
	m := NewImage(2, 1, 1)
	m.Pix[1] = float32(math.NaN())
	if got, _ := Median(m); !math.IsNaN(float64(got[0])) {
		t.Errorf("median with NaN = %v, want NaN", got[0])
	}
	if _, err := Median(NewImage(0, 5, 3)); err == nil {
		t.Error("median of an empty image: no error")
	}
}

func TestUint8(t *testing.T) {
	m := &Image{W: 10, H: 1, C: 1, Pix: []float32{-3, -0.5, 0.5, 1.5, 2.5, 254.5, 255.49, 300, float32(math.NaN()), 127.50001}}
	want := []uint8{0, 0, 0, 2, 2, 254, 255, 255, 0, 128}
	if got := m.Uint8(); !slices.Equal(got, want) {
		t.Errorf("Uint8 = %v, want %v", got, want)
	}
}

func TestPadBranchGolden(t *testing.T) {
	g := mustGolden(t)
	for _, c := range g.PadBranch {
		src, err := os.ReadFile(filepath.Join("testdata", c.File))
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []Reflect{ReflectNumPy117, ReflectLegacy} {
			want := c.NumPy117
			if mode == ReflectLegacy {
				want = c.Legacy
			}
			t.Run(fmt.Sprintf("%s/%v", c.File, mode), func(t *testing.T) {
				if !want.GaussianCREqual {
					t.Fatal("golden: scipy's own kernel and the correctly rounded one disagree here; regenerate")
				}
				img, err := FromUint8(src, c.W, c.H, 3)
				if err != nil {
					t.Fatal(err)
				}
				img, err = PadReflect(img, c.Pad, mode)
				if err != nil {
					t.Fatal(err)
				}
				if got := md5f32(img.Pix); got != want.Padded {
					t.Fatalf("padded: md5 %s, want %s", got, want.Padded)
				}
				if [3]int{img.H, img.W, img.C} != want.Shape {
					t.Fatalf("padded shape %d×%d×%d, want %v", img.H, img.W, img.C, want.Shape)
				}
				mask := PadMask(img.W, img.H, c.Pad)
				if got := md5f32(mask); got != want.Mask {
					t.Errorf("mask: md5 %s, want %s", got, want.Mask)
				}
				blurred, err := GaussianFilter(img, c.Blur, c.Blur)
				if err != nil {
					t.Fatal(err)
				}
				if got := md5f32(blurred.Pix); got != want.Gaussian {
					t.Errorf("gaussian: md5 %s, want %s", got, want.Gaussian)
				}
				if err := BlendBlur(img, blurred, mask); err != nil {
					t.Fatal(err)
				}
				if got := md5f32(img.Pix); got != want.AfterBlurBlend {
					t.Errorf("after blur blend: md5 %s, want %s", got, want.AfterBlurBlend)
				}
				med, err := Median(img)
				if err != nil {
					t.Fatal(err)
				}
				for ch := range med {
					if med[ch] != float32(want.Median[ch]) {
						t.Errorf("median[%d] = %v, want %v", ch, med[ch], want.Median[ch])
					}
				}
				if err := BlendMedian(img, med, mask); err != nil {
					t.Fatal(err)
				}
				if got := md5f32(img.Pix); got != want.AfterMedianBlend {
					t.Errorf("after median blend: md5 %s, want %s", got, want.AfterMedianBlend)
				}
				if got := md5u8(img.Uint8()); got != want.Output {
					t.Errorf("uint8 output: md5 %s, want %s", got, want.Output)
				}
				out, w2, h2, err := PadBlend(src, c.W, c.H, c.Pad, c.Blur, mode)
				if err != nil {
					t.Fatal(err)
				}
				if w2 != want.Shape[1] || h2 != want.Shape[0] {
					t.Errorf("PadBlend size %d×%d, want %d×%d", h2, w2, want.Shape[0], want.Shape[1])
				}
				if got := md5u8(out); got != want.Output {
					t.Errorf("PadBlend output: md5 %s, want %s", got, want.Output)
				}
			})
		}
	}
}

func TestPadBlendErrors(t *testing.T) {
	src := make([]uint8, 4*3*3)
	tests := []struct {
		name string
		src  []uint8
		pad  [4]int
		blur float64
		want string
	}{
		{"short", src[:35], [4]int{1, 1, 1, 1}, 1, "holds 35 bytes"},
		{"zero pad", src, [4]int{1, 0, 1, 1}, 1, "side ≤ 0"},
		{"nan blur", src, [4]int{1, 1, 1, 1}, math.NaN(), "σ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := PadBlend(tt.src, 4, 3, tt.pad, tt.blur, ReflectLegacy)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestBlendErrors(t *testing.T) {
	a, b := NewImage(3, 2, 3), NewImage(2, 3, 3)
	if err := BlendBlur(a, b, make([]float32, 6)); err == nil {
		t.Error("BlendBlur with mismatched shapes: no error")
	}
	if err := BlendBlur(a, a, make([]float32, 5)); err == nil {
		t.Error("BlendBlur with a short mask: no error")
	}
	if err := BlendMedian(a, []float32{1, 2}, make([]float32, 6)); err == nil {
		t.Error("BlendMedian with 2 medians for 3 channels: no error")
	}
}

func TestPlanPadGolden(t *testing.T) {
	g := mustGolden(t)
	for i, p := range g.Plans {
		var q [4][2]float32
		for j := range q {
			q[j] = [2]float32{float32(p.Quad[j][0]), float32(p.Quad[j][1])}
		}
		got, err := PlanPad(q, p.W, p.H, p.Border, hexFloat(t, p.Zoom))
		if err != nil {
			t.Fatal(err)
		}
		want := PadPlan{Raw: p.Raw, Apply: p.Apply, Pad: p.Pad, Blur: hexFloat(t, p.Blur)}
		if got != want {
			t.Errorf("plan %d: %+v, want %+v", i, got, want)
		}
	}
}

// The two fixture cases of celebahq/testdata/celebahq-mini that take the pad
// branch (cases.json): the quad before the branch, rebuilt from
// quad_initial with the original's float32 steps, must give the recorded
// pad_raw, pad, blur_sigma and quad_final.
func TestPlanPadFixtures(t *testing.T) {
	tests := []struct {
		name        string
		quadInitial [4][2]float32
		crop        [2]float32 // box origin subtracted (crop applied)
		superres    float32    // multiplied (> 1)
		shrink      float32    // divided (> 1)
		w, h        int        // image size entering step 10
		border      int
		zoom        float64 // zoom_final
		raw, pad    [4]int
		apply       bool
		blur        float64
		quadFinal   [4][2]float32
	}{
		{
			name:        "idx7000 border444",
			quadInitial: [4][2]float32{{-76.4407730102539, 87.33348083496094}, {-87.01651763916016, 367.59075927734375}, {193.24078369140625, 378.16650390625}, {203.8165283203125, 97.90922546386719}},
			crop:        [2]float32{0, 59}, superres: 4, shrink: 1,
			w: 928, h: 1392, border: 28, zoom: 0.9127966931907668,
			raw: [4]int{377, 0, 0, 0}, pad: [4]int{377, 337, 337, 337}, apply: true, blur: 22.43654052734375,
			quadFinal: [4][2]float32{{71.23690795898438, 450.33392333984375}, {28.933929443359375, 1571.363037109375}, {1149.963134765625, 1613.666015625}, {1192.26611328125, 492.63690185546875}},
		},
		{
			name:        "idx29999 closeup_shrink2",
			quadInitial: [4][2]float32{{-1298.783203125, -1652.33203125}, {-1467.68212890625, 2615.533203125}, {2800.18310546875, 2784.43212890625}, {2969.08203125, -1483.43310546875}},
			superres:    1, shrink: 2,
			w: 750, h: 750, border: 214, zoom: 0.47948986159363377,
			raw: [4]int{948, 1041, 949, 857}, pad: [4]int{948, 1041, 949, 857}, apply: true, blur: 42.712060546875,
			quadFinal: [4][2]float32{{298.6083984375, 214.833984375}, {214.158935546875, 2348.7666015625}, {2348.091552734375, 2433.216064453125}, {2432.541015625, 299.283447265625}},
		},
		{
			name:        "idx17 plain (no pad)",
			quadInitial: [4][2]float32{{92.71087646484375, 51.54193115234375}, {48.29193115234375, 1116.5390625}, {1113.2890625, 1160.9580078125}, {1157.7080078125, 95.96087646484375}},
			superres:    1, shrink: 1,
			w: 1207, h: 1213, border: 107, zoom: 0.9606696807001157,
			raw: [4]int{59, 56, 58, 55}, apply: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.quadInitial
			for i := range q {
				for j := range 2 {
					v := q[i][j]
					if tt.shrink > 1 {
						v /= tt.shrink
					}
					v -= tt.crop[j]
					v *= tt.superres
					q[i][j] = v
				}
			}
			p, err := PlanPad(q, tt.w, tt.h, tt.border, tt.zoom)
			if err != nil {
				t.Fatal(err)
			}
			if p.Raw != tt.raw || p.Apply != tt.apply {
				t.Fatalf("raw %v apply %v, want %v %v", p.Raw, p.Apply, tt.raw, tt.apply)
			}
			if !tt.apply {
				return
			}
			if p.Pad != tt.pad || p.Blur != tt.blur {
				t.Errorf("pad %v blur %v, want %v %v", p.Pad, p.Blur, tt.pad, tt.blur)
			}
			for i := range q {
				for j := range 2 {
					if got := q[i][j] + float32(p.Pad[j]); got != tt.quadFinal[i][j] {
						t.Errorf("quad[%d][%d] after += pad: %v, want %v", i, j, got, tt.quadFinal[i][j])
					}
				}
			}
		})
	}
	if _, err := PlanPad([4][2]float32{}, 10, 10, 3, 0); err == nil {
		t.Error("zoom 0: no error")
	}
}
