package celebahq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// typicalLM is the landmarks of the oracle's typical case (000010.jpg,
// 420×520).
var typicalLM = [5][2]float32{{189, 199}, {231, 201}, {208, 224}, {190, 236}, {228, 238}}

func shifted(lm [5][2]float32, dx, dy float32) [5][2]float32 {
	for i := range lm {
		lm[i][0] += dx
		lm[i][1] += dy
	}
	return lm
}

// Landmarks that make an implausible plan are an error before anything
// is allocated: before, one coordinate of 99999999 shrank the image to 0×0
// (a panic in the resize), and every coordinate +20000 asked for pads of
// 74 GB.
func TestPlanImplausible(t *testing.T) {
	far := typicalLM
	far[0][0] = 99999999
	nearby := shifted(typicalLM, 420+60, 0) // past the right edge, within the landmark bound
	tiny := [5][2]float32{{200, 200}, {200.25, 200}, {200.1, 200.1}, {200, 200.2}, {200.25, 200.2}}
	wide := [5][2]float32{{-400, 260}, {800, 260}, {200, 300}, {-380, 500}, {780, 500}}
	for _, tt := range []struct {
		name string
		lm   [5][2]float32
		w, h int
		want string
	}{
		{"one coordinate 99999999", far, 420, 520, "landmark (1e+08, 199) lies far outside the 420×520 image"},
		{"all coordinates +20000", shifted(typicalLM, 20000, 20000), 420, 520, "landmark (20189, 20199) lies far outside the 420×520 image"},
		{"NaN", [5][2]float32{{float32(nan()), 0}}, 420, 520, "lies far outside"},
		{"empty image", typicalLM, 0, 520, "image is 0×520"},
		{"face beside the image", nearby, 420, 520, "put the face outside the 420×520 image (crop box"},
		{"face of a quarter pixel", tiny, 420, 520, "too small to upsample to 1024"},
		{"face mostly outside", wide, 420, 520, "put the face mostly outside the 420×520 image: padding"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.lm, tt.w, tt.h)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewPlan = %+v, %v; want an error with %q", p, err, tt.want)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }

// A plan NewPlan accepts has every intermediate image non-empty and
// within the bounds, so Process can run it without a panic and in bounded
// memory.
func checkPlan(t *testing.T, p *Plan, w, h int) {
	t.Helper()
	if p.Shrink > 1 {
		w, h = p.ShrinkSize[0], p.ShrinkSize[1]
	}
	if p.CropApplied {
		w, h = p.Crop[2]-p.Crop[0], p.Crop[3]-p.Crop[1]
	}
	if p.Superres > 1 {
		w, h = w*p.Superres, h*p.Superres
	}
	if w < 1 || h < 1 || w > maxSide || h > maxSide {
		t.Fatalf("plan %+v: a %d×%d intermediate image", p, w, h)
	}
	if p.Pad.Apply {
		pw, ph := w+p.Pad.Pad[0]+p.Pad.Pad[2], h+p.Pad.Pad[1]+p.Pad.Pad[3]
		if min(p.Pad.Pad[0], p.Pad.Pad[1], p.Pad.Pad[2], p.Pad.Pad[3]) < 1 || pw > maxSide || ph > maxSide || pw > maxPadRatio*w || ph > maxPadRatio*h {
			t.Fatalf("plan %+v: pads %v of a %d×%d image", p, p.Pad.Pad, w, h)
		}
	}
}

func TestPlanGoldenWithinBounds(t *testing.T) {
	for _, c := range readGeoCases(t) {
		p, err := NewPlan(c.lm(), c.OrigSize[0], c.OrigSize[1])
		if err != nil {
			t.Fatalf("%s: %v", c.Case, err)
		}
		checkPlan(t, p, c.OrigSize[0], c.OrigSize[1])
	}
}

// FuzzNewPlan: any landmarks and size give an error or a plan whose
// images are all within bounds.
func FuzzNewPlan(f *testing.F) {
	for _, c := range readGeoCases(f) {
		lm := c.lm()
		f.Add(lm[0][0], lm[0][1], lm[1][0], lm[1][1], lm[3][0], lm[3][1], lm[4][0], lm[4][1], uint16(c.OrigSize[0]), uint16(c.OrigSize[1]))
	}
	f.Add(float32(99999999), float32(199), float32(231), float32(201), float32(190), float32(236), float32(228), float32(238), uint16(420), uint16(520))
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, x3, y3, x4, y4 float32, w, h uint16) {
		lm := [5][2]float32{{x0, y0}, {x1, y1}, {(x0 + x1) / 2, (y0 + y3) / 2}, {x3, y3}, {x4, y4}}
		p, err := NewPlan(lm, int(w), int(h))
		if err != nil {
			return
		}
		checkPlan(t, p, int(w), int(h))
	})
}

// In a build, such an image is a per-image error at the "plan" stage
// (skipped by --keep-going), and the others are made.
func TestBuildImplausibleLandmarks(t *testing.T) {
	dir := copyMini(t)
	lmPath := filepath.Join(dir, "Anno", "list_landmarks_celeba.txt")
	b, err := os.ReadFile(lmPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "000010.jpg   189   199", "000010.jpg   99999999   199", 1)
	if err := os.WriteFile(lmPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := NewJob(Options{CelebADir: dir, DeltasDir: filepath.Join(dir, "deltas"), NoDeltas: true, Only: []int{1234}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	items := collect(t, j, 0)
	if len(items) != 1 || items[0].Err == nil || items[0].Err.Stage != "plan" ||
		!strings.Contains(items[0].Err.Error(), "celebahq: idx 1234 (000010.jpg): plan: landmark (1e+08, 199) lies far outside the 420×520 image") {
		t.Fatalf("items %+v", items)
	}
}
