package celebahq

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyMini copies the fixture to a temporary folder the test may damage.
func copyMini(t *testing.T) string {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(mini)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func collect(t *testing.T, j *Job, skip int) []Item {
	var items []Item
	for it, err := range j.Images(context.Background(), skip) {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	return items
}

// The five fixture images come out in the full set's shuffled order
// (numpy: RandomState(123).shuffle(arange(30000)) restricted to them is
// 1234, 7999, 17, 7000, 29999), each passing both of the original's md5
// checks; a subset keeps that relative order.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("five full images")
	}
	j, err := NewJob(Options{CelebADir: mini, DeltasDir: mini + "/deltas"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if len(j.Notes) != 2 || !strings.Contains(j.Notes[1], "names 5 of the 30000") {
		t.Errorf("notes %q", j.Notes)
	}
	if ok, err := j.CheckDecoder(); ok || err != nil {
		t.Errorf("CheckDecoder without 000001.jpg: %v %v", ok, err)
	}
	var order []int
	for _, it := range collect(t, j, 0) {
		if it.Err != nil {
			t.Fatal(it.Err)
		}
		if got := md5hex(it.Image.Pix); got != it.Row.FinalMD5 {
			t.Errorf("idx %d: %s", it.Row.Idx, got)
		}
		order = append(order, it.Row.Idx)
	}
	if want := []int{1234, 7999, 17, 7000, 29999}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

func TestBuildSubsetAndErrors(t *testing.T) {
	dir := copyMini(t)
	opt := Options{CelebADir: dir, DeltasDir: dir + "/deltas", Only: []int{17, 1234}}
	j, err := NewJob(opt)
	if err != nil {
		t.Fatal(err)
	}
	if j.Len() != 2 || j.rows[0].Idx != 1234 || j.rows[1].Idx != 17 {
		t.Fatalf("subset rows %v", j.rows)
	}
	j.Close()

	// A different JPEG: the delta's HMAC fails, naming the image.
	jpg := filepath.Join(dir, "img_celeba", "000010.jpg") // idx 1234
	b, _ := os.ReadFile(jpg)
	other, _ := os.ReadFile(filepath.Join(dir, "img_celeba", "000119.jpg"))
	os.WriteFile(jpg, other, 0o644)
	j, _ = NewJob(Options{CelebADir: dir, DeltasDir: dir + "/deltas", Only: []int{1234}})
	items := collect(t, j, 0)
	j.Close()
	if e := items[0].Err; e == nil || e.Stage != "proc_md5" || !strings.Contains(e.Error(), "idx 1234 (000010.jpg): proc_md5 mismatch: got ") {
		t.Errorf("another JPEG: %v", e)
	}
	// With --no-deltas and no list the image is still made.
	j, err = NewJob(Options{CelebADir: dir, NoDeltas: true, Only: []int{9}})
	if err != nil || j.Len() != 1 || j.rows[0].OrigFile != "000010.jpg" {
		t.Fatalf("no list: %v %v", err, j)
	}
	// A corrupt JPEG is a decode error naming the file.
	os.WriteFile(jpg, b[:len(b)/3], 0o644)
	j, _ = NewJob(Options{CelebADir: dir, DeltasDir: dir + "/deltas", Only: []int{1234}})
	items = collect(t, j, 0)
	j.Close()
	if e := items[0].Err; e == nil || e.Stage != "decode" || !strings.Contains(e.Error(), "000010.jpg") {
		t.Errorf("truncated JPEG: %v", e)
	}
	// An idx outside the list.
	if _, err := NewJob(Options{CelebADir: dir, DeltasDir: dir + "/deltas", Only: []int{5}}); err == nil || !strings.Contains(err.Error(), "idx 5 is not in") {
		t.Errorf("--only 5: %v", err)
	}
	// A missing deltas folder.
	if _, err := NewJob(Options{CelebADir: dir, DeltasDir: dir + "/nothing"}); err == nil {
		t.Error("missing deltas folder accepted")
	}
	var ie *ImageError
	if !errors.As(error(&ImageError{Stage: "x"}), &ie) {
		t.Error("ImageError")
	}
}

func TestParseOnly(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  bool
	}{
		{"17", []int{17}, false},
		{"17, 1234,5-7", []int{17, 1234, 5, 6, 7}, false},
		{"7-5", nil, true},
		{"x", nil, true},
		{"-3", nil, true},
		{"1.5", nil, true},
	} {
		got, err := ParseOnly(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseOnly(%q) = %v, %v", tc.in, got, err)
		}
	}
}
