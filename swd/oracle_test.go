package swd

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/planar"
)

// The expected values come from testdata/gen.py (the oracle swdref.py).

type expected struct {
	Pyramid []struct {
		Name   string
		Levels []struct {
			Shape    []int
			Sum      float64
			Abs      float64
			First    []float64
			Checksum float64
		}
	}
	Patches []struct {
		Name     string
		Image    []int
		Seed     uint32
		PerImage int `json:"per_image"`
		K        int `json:"pattern_k"`
		Rows     []int
	}
	SWD []struct {
		Name        string
		Pattern     bool
		Images      int
		Size        int
		Seed        uint64
		Gray        bool
		RealSeed    uint32 `json:"real_seed"`
		FakeSeed    uint32 `json:"fake_seed"`
		PerturbSeed uint32 `json:"perturb_seed"`
		Minibatch   int
		Checksums   [2][2]int64
		Resolutions []int
		SWD         []float64
		Avg         float64
		Published   []float64
	}
}

func loadExpected(t *testing.T) *expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// pattern returns P(n, c, y, x; k) of docs/swd.md#reference-values, image
// by image.
func pattern(n, c, size, k int) []*planar.Image {
	out := make([]*planar.Image, n)
	for i := range out {
		m := planar.NewImage(c, size)
		for ch := range c {
			for y := range size {
				for x := range size {
					v := (7*x + 13*y + 50*ch + (x*y)%17 + 31*i + 11*k + ((x+k)*(y+i))%29) % 256
					m.Pix[(ch*size+y)*size+x] = byte(v)
				}
			}
		}
		out[i] = m
	}
	return out
}

// smooth and perturb are gen.py's functions of the same names (all the
// lattice draws come first, then the noise in C order, as there).
func smooth(n, res int, seed uint32) []*planar.Image {
	const channels, grid = 3, 8
	r := nprand.New(seed)
	g := make([]int64, n*channels*(grid+1)*(grid+1))
	for i := range g {
		g[i] = r.Randint(0, 256)
	}
	out := make([]*planar.Image, n)
	R := int64(res)
	for i := range out {
		m := planar.NewImage(channels, res)
		for ch := range channels {
			gg := g[(i*channels+ch)*(grid+1)*(grid+1):]
			at := func(y, x int64) int64 { return gg[y*(grid+1)+x] }
			for y := range R {
				iy, fy := y*grid/R, y*grid%R
				for x := range R {
					ix, fx := x*grid/R, x*grid%R
					v := (at(iy, ix)*(R-fy)*(R-fx) + at(iy+1, ix)*fy*(R-fx) +
						at(iy, ix+1)*(R-fy)*fx + at(iy+1, ix+1)*fy*fx) / (R * R)
					v += r.Randint(-4, 5)
					m.Pix[(int64(ch)*R+y)*R+x] = byte(min(max(v, 0), 255))
				}
			}
		}
		out[i] = m
	}
	return out
}

func firstChannel(imgs []*planar.Image) []*planar.Image {
	out := make([]*planar.Image, len(imgs))
	for i, m := range imgs {
		out[i] = &planar.Image{Channels: 1, Size: m.Size, Pix: m.Plane(0)}
	}
	return out
}

func perturb(imgs []*planar.Image, seed uint32) []*planar.Image {
	r := nprand.New(seed)
	out := make([]*planar.Image, len(imgs))
	for i, m := range imgs {
		p := planar.NewImage(m.Channels, m.Size)
		for j, v := range m.Pix {
			x := int64(v)*5/4 - 32 + r.Randint(-8, 9)
			p.Pix[j] = byte(min(max(x, 0), 255))
		}
		out[i] = p
	}
	return out
}

func checksum(imgs []*planar.Image) [2]int64 {
	var s, w int64
	i := 0
	for _, m := range imgs {
		for _, v := range m.Pix {
			s += int64(v)
			w += int64(v) * int64(i%65521)
			i++
		}
	}
	return [2]int64{s, w}
}

func stream(imgs []*planar.Image) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		for _, m := range imgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// levelPlane returns the whole level l of one channel plane: the band-pass
// image, or the low-pass one for the last level.
func levelPlane(s *pyrScratch, p plane, l int) []float32 {
	L, n := len(s.sizes), s.sizes[l]
	if l == L-1 {
		return s.low[l]
	}
	out := make([]float32, n*n)
	u, low, m := s.taps[l], s.low[l+1], s.sizes[l+1]
	for y := range n {
		for x := range n {
			out[y*n+x] = s.lowAt(p, l, y, x) - u.up(low, m, y, x)
		}
	}
	return out
}

func TestPyramidOracle(t *testing.T) {
	exp := loadExpected(t)
	for _, tc := range exp.Pyramid {
		t.Run(tc.Name, func(t *testing.T) {
			var n, c, size, k int
			if _, err := fmt.Sscanf(tc.Name, "P(%d,%d,%d,%d;%d)", &n, &c, &size, &size, &k); err != nil {
				t.Fatal(err)
			}
			imgs := pattern(n, c, size, k)
			s := newPyrScratch(size)
			if len(s.sizes) != len(tc.Levels) {
				t.Fatalf("%d levels, want %d", len(s.sizes), len(tc.Levels))
			}
			var sum, abs, chk = make([]float64, len(s.sizes)), make([]float64, len(s.sizes)), make([]float64, len(s.sizes))
			first := make([][]float32, len(s.sizes))
			offset := make([]int, len(s.sizes)) // flat index of the plane's first value
			for i, img := range imgs {
				for ch := range c {
					p := plane(img.Pix[ch*size*size : (ch+1)*size*size])
					s.build(p)
					for l, ln := range s.sizes {
						v := levelPlane(s, p, l)
						offset[l] = (i*c + ch) * ln * ln
						for j, x := range v {
							sum[l] += float64(x)
							abs[l] += math.Abs(float64(x))
							chk[l] += float64(x) * float64((offset[l]+j)%1009)
						}
						if i == 0 && ch == 0 {
							first[l] = slices.Clone(v[:4])
						}
					}
				}
			}
			for l, want := range tc.Levels {
				if want.Shape[2] != s.sizes[l] {
					t.Errorf("level %d: size %d, want %d", l, s.sizes[l], want.Shape[2])
				}
				for _, q := range []struct {
					name      string
					got, want float64
				}{{"sum", sum[l], want.Sum}, {"abs", abs[l], want.Abs}, {"checksum", chk[l], want.Checksum}} {
					if math.Abs(q.got-q.want) > 1e-9*math.Max(math.Abs(q.want), 1) {
						t.Errorf("level %d %s = %.9f, want %.9f", l, q.name, q.got, q.want)
					}
				}
				for j, w := range want.First {
					if float64(first[l][j]) != w {
						t.Errorf("level %d value %d = %v, want %v", l, j, first[l][j], w)
					}
				}
			}
		})
	}
}

func TestPatchesOracle(t *testing.T) {
	exp := loadExpected(t)
	for _, tc := range exp.Patches {
		t.Run(tc.Name, func(t *testing.T) {
			want, err := npy.ReadFile(filepath.Join("testdata", "patches_"+tc.Name+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			n, size := tc.Image[0], tc.Image[2]
			imgs := pattern(n, 3, size, tc.K)
			s := newPyrScratch(size)
			rng := nprand.New(tc.Seed)
			row := 0
			got := make([][]float32, len(s.sizes)) // per level, count × dim
			for l, w := range s.sizes {
				count := n * tc.PerImage
				if tc.Rows[l] != count {
					t.Fatalf("level %d: %d rows, want %d", l, tc.Rows[l], count)
				}
				cx, cy := make([]int32, count), make([]int32, count)
				for i := range cx {
					cx[i] = int32(rng.Randint(half, int64(w-half)))
				}
				for i := range cy {
					cy[i] = int32(rng.Randint(half, int64(w-half)))
				}
				got[l] = make([]float32, count*dim) // panel layout
				for i, img := range imgs {
					lo, hi := i*tc.PerImage, (i+1)*tc.PerImage // a multiple of group
					for ch := range 3 {
						p := plane(img.Pix[ch*size*size : (ch+1)*size*size])
						s.build(p)
						s.patches(p, l, ch, cx[lo:hi], cy[lo:hi], got[l][lo*dim:hi*dim])
					}
				}
			}
			for l := range s.sizes {
				for i := range tc.Rows[l] {
					w := want.Row(row)
					row++
					for k := range w {
						if g := got[l][at(i, k)]; g != w[k] {
							t.Fatalf("level %d patch %d value %d = %v, want %v", l, i, k, g, w[k])
						}
					}
				}
			}
		})
	}
}

func TestNumpyOracle(t *testing.T) {
	exp := loadExpected(t)
	for _, tc := range exp.SWD {
		t.Run(tc.Name, func(t *testing.T) {
			var real, fake []*planar.Image
			if tc.Pattern {
				for k := range 4 {
					real = append(real, pattern(16, 3, tc.Size, k)...)
					fake = append(fake, pattern(16, 3, tc.Size, 10+k)...)
				}
			} else {
				real = smooth(tc.Images, tc.Size, tc.RealSeed)
				fake = perturb(smooth(tc.Images, tc.Size, tc.FakeSeed), tc.PerturbSeed)
				if tc.Gray {
					real, fake = firstChannel(real), firstChannel(fake)
				}
				if got := [2][2]int64{checksum(real), checksum(fake)}; got != tc.Checksums {
					t.Fatalf("images' checksums %v, want %v", got, tc.Checksums)
				}
			}
			opt := Options{Seed: tc.Seed, Numpy: true, minibatch: tc.Minibatch}
			r, err := Distance(context.Background(), stream(real), stream(fake), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Resolutions, tc.Resolutions) || r.Images != tc.Images || r.Seed != tc.Seed {
				t.Fatalf("resolutions %v images %d seed %d, want %v %d %d", r.Resolutions, r.Images, r.Seed, tc.Resolutions, tc.Images, tc.Seed)
			}
			for l, w := range tc.SWD {
				if rel := math.Abs(r.SWD[l]/w - 1); rel > 1e-5 {
					t.Errorf("level %d: %.6f, want %.6f (relative %.1e)", r.Resolutions[l], r.SWD[l], w, rel)
				} else {
					t.Logf("level %d: %.6f, oracle %.6f (relative %.1e)", r.Resolutions[l], r.SWD[l], w, rel)
				}
			}
			if rel := math.Abs(r.Avg/tc.Avg - 1); rel > 1e-5 {
				t.Errorf("avg %.6f, want %.6f", r.Avg, tc.Avg)
			}
			// The values published from the original code, to 4 decimals.
			for l, w := range tc.Published {
				v := r.Avg
				if l < len(r.SWD) {
					v = r.SWD[l]
				}
				if math.Abs(v-w) > 5e-5+1e-4*w {
					t.Errorf("published value %d: %.4f, want %.4f", l, v, w)
				}
			}
		})
	}
}
