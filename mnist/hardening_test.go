package mnist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every Check error names the file at fault.
func TestCheckNamesFiles(t *testing.T) {
	s, err := ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	images, labels := filepath.Join("testdata", Files[0]), filepath.Join("testdata", Files[1])
	for _, tt := range []struct {
		name string
		edit func(*Set)
		want string
	}{
		{"label", func(s *Set) { s.Labels[9] = 200 }, "mnist: " + labels + ": label 200 of image 9 out of range 0..9"},
		{"pixels", func(s *Set) { clear(s.Pix) }, "mnist: " + images + ": pixel values span 0..0"},
		{"size", func(s *Set) { s.Rows = 27 }, "mnist: " + images + ": images are 27×28"},
		{"count", func(s *Set) {}, "mnist: " + images + ": 50 images, want 60000"},
		{"no files", func(s *Set) { s.Sources = nil; s.Labels[0] = 11 }, "mnist: the labels: label 11 of image 0"},
	} {
		c := *s
		c.Pix, c.Labels, c.Sources = append([]byte(nil), s.Pix...), append([]uint8(nil), s.Labels...), append([]string(nil), s.Sources...)
		tt.edit(&c)
		if err := c.Check(Images, tt.name != "count"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// A label file whose count differs from the images' names both files.
func TestLabelCountNamesFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == Files[1] {
			b = idx(0x801, []uint32{3}, []byte{1, 2, 3})
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := ReadDir(dir)
	want := "mnist: " + filepath.Join(dir, Files[1]) + " has 3 labels for the 50 images of " + filepath.Join(dir, Files[0])
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
