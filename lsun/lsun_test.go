package lsun

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid"
)

type entry struct {
	Index  int               `json:"lmdb_index"`
	Key    string            `json:"key"`
	Format string            `json:"format"`
	Out    string            `json:"outcome"`
	Record *int              `json:"record_index"`
	R64    map[string]string `json:"tier_md5_r64"`
	R256   map[string]string `json:"tier_md5_r256"`
}

func readExpected(t testing.TB) []entry {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var x struct{ Entries []entry }
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x.Entries
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// Every record and every tier of the fixture, at --resolution 64 and 256,
// WebP and JPEG values, is byte-identical to what the original create_lsun
// wrote.
func TestOriginalRecords(t *testing.T) {
	want := readExpected(t)
	db, err := Open("testdata/mini_train_lmdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, res := range []int{64, 256} {
		var got []Item
		for it, err := range Records(context.Background(), db, 0, 0, Options{Resolution: res}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, it)
		}
		if len(got) != len(want) {
			t.Fatalf("r%d: %d items for %d entries", res, len(got), len(want))
		}
		exact := 0
		for i, w := range want {
			it := got[i]
			if it.Entry != w.Index || it.Key != w.Key {
				t.Fatalf("item %d: entry %d key %s, want %d %s", i, it.Entry, it.Key, w.Index, w.Key)
			}
			if w.Out != "record" {
				var ee *EntryError
				if it.Err == nil || !errors.As(it.Err, &ee) || !strings.Contains(it.Err.Error(), w.Key) {
					t.Errorf("entry %d (%s): %v, want a skip naming its key", i, w.Format, it.Err)
				}
				continue
			}
			if it.Err != nil {
				t.Errorf("entry %d: %v", i, it.Err)
				continue
			}
			tiers := w.R64
			if res == 256 {
				tiers = w.R256
			}
			all := []*planar.Image{it.Image}
			all = append(all, pyramid.Downsample(it.Image)...)
			same := true
			for _, m := range all {
				if md5hex(m.Pix) != tiers[strconv.Itoa(m.Size)] {
					same = false
				}
			}
			if !same {
				t.Errorf("r%d entry %d (%s): tiers differ from the original's", res, i, w.Format)
				continue
			}
			exact++
		}
		if exact != 15 {
			t.Errorf("r%d: %d exact records, want 15", res, exact)
		}
	}
}

func TestMaxImagesAndSkip(t *testing.T) {
	db, err := Open("testdata/mini_train_lmdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(skip, records int, opt Options) (recs, skips int, err error) {
		for it, err := range Records(context.Background(), db, skip, records, opt) {
			if err != nil {
				return recs, skips, err
			}
			if it.Err != nil {
				skips++
			} else {
				recs++
			}
		}
		return recs, skips, nil
	}
	for _, tc := range []struct {
		skip, records, max int
		strict             bool
		recs, skips        int
		err                string
	}{
		{0, 0, 0, false, 15, 1, ""},
		{0, 0, 8, false, 8, 0, ""},    // entries 0..7
		{0, 0, 9, false, 9, 1, ""},    // the random bytes (entry 8) are skipped on the way
		{5, 5, 9, false, 4, 1, ""},    // resumed after 5 entries (5 records)
		{0, 0, 0, true, 8, 0, "key "}, // --strict stops at entry 8
		{9, 8, 0, true, 7, 0, ""},
	} {
		recs, skips, err := count(tc.skip, tc.records, Options{Resolution: 8, MaxImages: tc.max, Strict: tc.strict})
		if recs != tc.recs || skips != tc.skips || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: %d records, %d skips, %v", tc, recs, skips, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	db, err := Open("testdata/mini_train_lmdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := db.db.Cursor()
	c.Next()
	webp, err := c.Value()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"riff only", []byte("RIFF\x10\x00\x00\x00WEBPVP8 ")},
		{"text", []byte("hello, world: this is not an image at all")},
		{"truncated webp", webp[:len(webp)/2]},
	} {
		if _, err := Process(tc.in, 64); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func webpValues(b testing.TB) [][]byte {
	files, _ := filepath.Glob("testdata/values/*.webp")
	var vals [][]byte
	for _, f := range files {
		v, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		b.Fatal("no values")
	}
	return vals
}

// BenchmarkProcess256 decodes, crops and resizes the fixture's WebP values
// to 256² on one core: compare with .ci/lsun_time.py (libwebp + Pillow).
func BenchmarkProcess256(b *testing.B) {
	vals := webpValues(b)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, v := range vals {
			if _, err := Process(v, 256); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkRecords256 runs Records over the fixture database with every
// core.
func BenchmarkRecords256(b *testing.B) {
	db, err := Open("testdata/mini_train_lmdb")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n := 0
	for b.Loop() {
		for _, err := range Records(context.Background(), db, 0, 0, Options{Resolution: 256}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
}

// Entry and database errors name the database file given as Source.
func TestErrorsNameSource(t *testing.T) {
	db, err := Open("testdata/mini_train_lmdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := filepath.Join("testdata", "mini_train_lmdb", "data.mdb")
	for _, strict := range []bool{false, true} {
		var got error
		for it, err := range Records(context.Background(), db, 0, 0, Options{Resolution: 8, Strict: strict, Source: src}) {
			if err != nil {
				got = err
				break
			}
			if it.Err != nil {
				got = it.Err
				break
			}
		}
		var ee *EntryError
		if got == nil || !errors.As(got, &ee) || !strings.HasPrefix(got.Error(), "lsun: "+src+": entry 8 (key ") {
			t.Errorf("strict %v: %v, want an error naming %s and the entry", strict, got, src)
		}
	}
}

// Decode gives the samples Process crops and resizes, as an opaque
// *image.RGBA; NewDB reads the same database from an io.ReaderAt.
func TestDecodeAndNewDB(t *testing.T) {
	f, err := os.Open("testdata/mini_train_lmdb/data.mdb")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	db, err := NewDB(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Entries() != len(readExpected(t)) {
		t.Errorf("%d entries, want %d", db.Entries(), len(readExpected(t)))
	}
	decoded := 0
	for n, c := 0, db.db.Cursor(); c.Next(); n++ {
		v, err := c.Value()
		if err != nil {
			t.Fatal(err)
		}
		want, werr := decode(v)
		got, err := Decode(v)
		if (err == nil) != (werr == nil) {
			t.Fatalf("entry %d: Decode error %v, decode error %v", n, err, werr)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "lsun: ") {
				t.Errorf("entry %d: error %q without the package's name", n, err)
			}
			continue
		}
		decoded++
		if b := got.Bounds(); b.Min.X != 0 || b.Min.Y != 0 || b.Dx() != want.Width || b.Dy() != want.Height {
			t.Fatalf("entry %d: bounds %v, want %dx%d", n, b, want.Width, want.Height)
		}
		for i, j := 0, 0; i < len(want.Pix); i, j = i+3, j+4 {
			if got.Pix[j] != want.Pix[i] || got.Pix[j+1] != want.Pix[i+1] || got.Pix[j+2] != want.Pix[i+2] || got.Pix[j+3] != 255 {
				t.Fatalf("entry %d: pixel %d is %v, want %v and opaque", n, i/3, got.Pix[j:j+4], want.Pix[i:i+3])
			}
		}
	}
	if decoded != 15 {
		t.Errorf("%d entries decoded, want 15", decoded)
	}
}
