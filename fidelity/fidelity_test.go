package fidelity

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Accumulator's covariance equals the two-pass one numpy's np.cov
// computes (mean first, then the centred products), across batch
// boundaries and with a large common offset.
func TestAccumulatorTwoPass(t *testing.T) {
	const dim, n = 5, 700
	f := stream("acc", n*dim, func(v float64) float64 { return 1000 + v*(1+v) })
	a := NewAccumulator(dim)
	for i := range n {
		a.Add(f[i*dim : (i+1)*dim])
	}
	s, err := a.Stats()
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]float64, dim)
	for i := range n {
		for j := range dim {
			mean[j] += float64(f[i*dim+j])
		}
	}
	for j := range mean {
		mean[j] /= n
	}
	for j := range dim {
		for k := range dim {
			var c float64
			for i := range n {
				c += (float64(f[i*dim+j]) - mean[j]) * (float64(f[i*dim+k]) - mean[k])
			}
			c /= n - 1
			if math.Abs(s.Cov[j*dim+k]-c) > 1e-10*math.Abs(c) {
				t.Errorf("cov[%d][%d] = %v, two-pass %v", j, k, s.Cov[j*dim+k], c)
			}
		}
	}
	if _, err := NewAccumulator(3).Stats(); err == nil {
		t.Error("stats of no vectors: no error")
	}
}

// splitOf puts position p in the split torch-fidelity's slices
// [i·n/s, (i+1)·n/s) give it.
func TestSplitOf(t *testing.T) {
	for n := 1; n < 60; n++ {
		for s := 1; s <= n; s++ {
			for i := range s {
				for p := i * n / s; p < (i+1)*n/s; p++ {
					if got := splitOf(p, n, s); got != i {
						t.Fatalf("splitOf(%d, %d, %d) = %d, want %d", p, n, s, got, i)
					}
				}
			}
		}
	}
}

func TestKIDErrors(t *testing.T) {
	f := make([]float32, 10*4)
	for _, c := range []struct {
		n1, n2, dim int
		opt         KIDOptions
		msg         string
	}{
		{10, 10, 4, KIDOptions{SubsetSize: 11}, "subset size 11 is larger than a set"},
		{10, 10, 4, KIDOptions{SubsetSize: 1}, "need at least 1 subset of 2"},
		{10, 9, 4, KIDOptions{SubsetSize: 5}, "feature sets of 40 and 40 values"},
	} {
		_, _, err := KID(f, c.n1, f, c.n2, c.dim, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want %q", c, err, c.msg)
		}
	}
}

func TestCache(t *testing.T) {
	c := Cache{Dir: filepath.Join(t.TempDir(), "cache")}
	if _, err := c.Stats("k"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("empty cache: %v, want fs.ErrNotExist", err)
	}
	s := &Stats{N: 3, Dim: 2, Mean: []float64{1, 2}, Cov: []float64{1, 0.5, 0.5, 2}}
	if err := c.PutStats("k", s); err != nil {
		t.Fatal(err)
	}
	got, err := c.Stats("k")
	if err != nil || got.N != 3 || got.Dim != 2 || got.Mean[1] != 2 || got.Cov[1] != 0.5 || got.Cov[3] != 2 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	f := []float32{1, 2, 3, 4, 5, 6}
	if err := c.PutFeatures("k", f, 3, 2); err != nil {
		t.Fatal(err)
	}
	gf, n, dim, err := c.Features("k")
	if err != nil || n != 3 || dim != 2 || gf[5] != 6 {
		t.Fatalf("features round trip: %v %d %d %v", gf, n, dim, err)
	}
	p := filepath.Join(c.Dir, "k.stats")
	b, _ := os.ReadFile(p)
	for _, bad := range []struct {
		data []byte
		msg  string
	}{
		{b[:len(b)-1], "truncated or damaged"},
		{[]byte("hello\n"), "not a progan cache file"},
		{[]byte(cacheMagic + `{"kind":"stats","n":3,"dim":100000}` + "\n"), "declares 3 vectors of 100000 values"},
		{[]byte(cacheMagic + `{"kind":"features","n":3,"dim":2}` + "\n"), "bad header"},
	} {
		os.WriteFile(p, bad.data, 0o644)
		if _, err := c.Stats("k"); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%q: %v, want %q", bad.data, err, bad.msg)
		}
	}
	if err := c.PutStats("../x", s); err == nil {
		t.Error("key with a path: no error")
	}
}

// FuzzCache: any file content gives statistics or an error, never a panic
// or an allocation the file cannot back.
func FuzzCache(f *testing.F) {
	f.Add([]byte(cacheMagic + `{"kind":"stats","n":3,"dim":1}` + "\n" + strings.Repeat("\x00", 16)))
	f.Add([]byte(cacheMagic + `{"kind":"features","n":2,"dim":2}` + "\n" + strings.Repeat("\x00", 16)))
	dir := f.TempDir()
	c := Cache{Dir: dir}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []string{"stats", "features"} {
			if err := os.WriteFile(filepath.Join(dir, "k."+kind), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if s, err := c.Stats("k"); err == nil && (len(s.Mean) != s.Dim || len(s.Cov) != s.Dim*s.Dim) {
			t.Fatalf("inconsistent stats %d %d %d", s.Dim, len(s.Mean), len(s.Cov))
		}
		if f, n, dim, err := c.Features("k"); err == nil && len(f) != n*dim {
			t.Fatalf("inconsistent features")
		}
	})
}

// A rounding-sized negative variance is judged against the largest
// variance wherever it stands in the diagonal, first included; a clearly
// negative one is refused.
func TestFIDNegativeRoundingVariance(t *testing.T) {
	s := &Stats{N: 10, Dim: 2, Mean: []float64{0, 0}, Cov: []float64{-1e-20, 0, 0, 1}}
	fid, err := FID(s, s)
	if err != nil {
		t.Fatalf("tiny negative variance first: %v", err)
	}
	if math.Abs(fid) > 1e-12 {
		t.Errorf("FID of a set with itself = %v", fid)
	}
	bad := &Stats{N: 10, Dim: 2, Mean: []float64{0, 0}, Cov: []float64{-0.5, 0, 0, 1}}
	if _, err := FID(bad, s); !errors.Is(err, errNotPSD) {
		t.Errorf("negative variance: %v, want errNotPSD", err)
	}
}
