package trainer

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/progan/progan/pyramid"
)

// TestRealsStream checks that the real-image stream visits every record
// once per epoch and continues exactly from a saved position, for
// uncompressed tiers (random access) and compressed ones (pyramid's
// windowed shuffle, skipped forward on resume).
func TestRealsStream(t *testing.T) {
	src, err := pyramid.Open(testDataset(t, 24, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, c := range []pyramid.Compression{pyramid.None, pyramid.Gzip} {
		t.Run(c.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			w, err := pyramid.Create(dir, pyramid.Options{Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			for rec, err := range src.Records(8) {
				if err != nil {
					t.Fatal(err)
				}
				w.Add(rec.Image, nil)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ds, err := pyramid.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			take := func(s *reals, n int) []int {
				t.Helper()
				tier, _ := ds.Tier(s.res)
				var idx []int
				for range n {
					rec, err := s.take(tier)
					if err != nil {
						t.Fatal(err)
					}
					idx = append(idx, rec.Index)
				}
				return idx
			}
			a := newReals(ds, 7)
			if err := a.configure(4, 0); err != nil {
				t.Fatal(err)
			}
			straight := take(a, 60)
			for e := range 2 {
				epoch := slices.Sorted(slices.Values(straight[24*e : 24*e+24]))
				for i, v := range epoch {
					if v != i {
						t.Fatalf("epoch %d is not a permutation: %v", e, straight[24*e:24*e+24])
					}
				}
			}
			if slices.Equal(straight[:24], straight[24:48]) {
				t.Error("two epochs in the same order")
			}
			b := newReals(ds, 7)
			if err := b.configure(4, 35); err != nil {
				t.Fatal(err)
			}
			if got := take(b, 25); !slices.Equal(got, straight[35:]) {
				t.Errorf("resumed at 35: %v, want %v", got, straight[35:])
			}
			x, _, err := b.minibatch(4, 0)
			if err != nil || x.Shape[0] != 4 || x.Shape[2] != 4 {
				t.Errorf("minibatch: %v %v", x.Shape, err)
			}
			b.close()
			a.close()
		})
	}
}
