package celeba

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCropGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]string
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	files, err := Files("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 || filepath.Base(files[0]) != "000001.png" {
		t.Fatalf("files %v", files)
	}
	n := 0
	for _, f := range files {
		for _, c := range [][2]int{{89, 121}, {64, 64}, {114, 154}} {
			m, err := Load(f, c[0], c[1])
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(m.Pix)
			key := fmt.Sprintf("%s %d %d", filepath.Base(f), c[0], c[1])
			if got := hex.EncodeToString(sum[:]); got != golden[key] {
				t.Errorf("%s: md5 %s, want %s", key, got, golden[key])
			}
			n++
		}
	}
	if n != len(golden) {
		t.Errorf("checked %d of %d crops", n, len(golden))
	}
}

func TestCropErrors(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, Width, Height))
	for _, tc := range []struct {
		img    image.Image
		cx, cy int
		want   string
	}{
		{rgb, 63, 121, "must lie inside"},
		{rgb, 89, 155, "must lie inside"},
		{image.NewRGBA(image.Rect(0, 0, 178, 219)), 89, 121, "178×219, want 178×218"},
		{image.NewGray(image.Rect(0, 0, Width, Height)), 89, 121, "want RGB"},
	} {
		if _, err := Crop(tc.img, tc.cx, tc.cy); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Crop(%T, %d, %d): %v, want %q", tc.img, tc.cx, tc.cy, err, tc.want)
		}
	}
	if _, err := Files(t.TempDir()); err == nil || !strings.Contains(err.Error(), "img_align_celeba_png") {
		t.Errorf("empty folder: %v", err)
	}
}
