package pyramid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/progan/progan/planar"
)

func TestExportZip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		c      int
		labels func(i int) []float32
		want   func(i int) any // the label of image i in dataset.json
	}{
		{"rgb-onehot", 3,
			func(i int) []float32 { l := make([]float32, 5); l[(i*3)%5] = 1; return l },
			func(i int) any { return float64((i * 3) % 5) }},
		{"gray-none", 1, nil, nil},
		{"rgb-float", 3,
			func(i int) []float32 { return []float32{float32(i) / 4, 1} },
			func(i int) any { return []any{float64(i) / 4, 1.0} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			w, err := Create(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			const n = 1003 // crosses a folder boundary
			var imgs []*planar.Image
			for i := range n {
				img := randomImage(rng, tc.c, 8)
				var lab []float32
				if tc.labels != nil {
					lab = tc.labels(i)
				}
				if err := w.Add(img, lab); err != nil {
					t.Fatal(err)
				}
				imgs = append(imgs, img)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			d, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			out := filepath.Join(t.TempDir(), "ds.zip")
			count := 0
			if err := ExportZipFile(context.Background(), d, 4, out, ZipOptions{Progress: func(k int) { count += k }}); err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
				t.Errorf("%d files beside the zip", len(entries)-1)
			}
			if count != n {
				t.Errorf("progress counted %d", count)
			}
			if err := ExportZipFile(context.Background(), d, 4, out, ZipOptions{}); err == nil {
				t.Error("existing zip overwritten")
			}
			zr, err := zip.OpenReader(out)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) != n+1 {
				t.Fatalf("%d files", len(zr.File))
			}
			for i, f := range zr.File[:n] {
				if f.Name != ZipImageName(i) || f.Method != zip.Store {
					t.Fatalf("file %d: %s method %d", i, f.Name, f.Method)
				}
				rc, _ := f.Open()
				m, err := png.Decode(rc)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				want := Downsample(imgs[i])[0] // 8 → 4
				got, err := planar.FromImage(m)
				if err != nil || got.Channels != tc.c || !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("image %d differs from the 4×4 tier", i)
				}
				if _, gray := m.(*image.Gray); gray != (tc.c == 1) {
					t.Fatalf("image %d: %T for %d channels", i, m, tc.c)
				}
			}
			if zr.File[1000].Name != "00001/img00001000.png" {
				t.Errorf("image 1000 named %s", zr.File[1000].Name)
			}
			rc, _ := zr.File[n].Open()
			b, _ := io.ReadAll(rc)
			var meta struct{ Labels []any }
			if zr.File[n].Name != "dataset.json" || json.Unmarshal(b, &meta) != nil {
				t.Fatalf("%s: %s", zr.File[n].Name, b)
			}
			if tc.want == nil {
				if !bytes.Contains(b, []byte(`"labels":null`)) {
					t.Errorf("dataset.json %s, want null labels", b)
				}
				return
			}
			for i, l := range meta.Labels {
				pair := l.([]any)
				if pair[0] != ZipImageName(i) || !reflect.DeepEqual(pair[1], tc.want(i)) {
					t.Fatalf("label %d: %v, want %v", i, pair, tc.want(i))
				}
			}
		})
	}
}
