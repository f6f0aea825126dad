package celebahq

import (
	"encoding/json"
	"os"
	"testing"
)

// geoCase is the part of a cases.json entry (the oracle's record of
// every intermediate value of the original) that the tests use.
type geoCase struct {
	Case        string
	Idx         int
	OrigFile    string `json:"orig_file"`
	Landmarks   [10]float64
	OrigSize    [2]int        `json:"orig_size"`
	X           [2]float32    `json:"x"`
	C           [2]float32    `json:"c"`
	QuadInitial [4][2]float32 `json:"quad_initial"`
	ZoomInitial float64       `json:"zoom_initial"`
	Shrink      int
	Border      int
	CropBox     [4]int `json:"crop_box"`
	CropApplied bool   `json:"crop_applied"`
	Superres    int
	PadRaw      [4]int             `json:"pad_raw"`
	PadApplied  bool               `json:"pad_applied"`
	QuadFinal   [4][2]float32      `json:"quad_final"`
	Transform   [8]float32         `json:"transform_data"`
	ZoomFinal   float64            `json:"zoom_final"`
	ProcMD5     string             `json:"proc_md5"`
	FinalMD5    string             `json:"final_md5"`
	DecodedMD5  string             `json:"decoded_md5_hwc"`
	StageMD5    map[string]*string `json:"stage_md5"`
}

func readGeoCases(t testing.TB) []geoCase {
	b, err := os.ReadFile("testdata/celebahq-mini/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []geoCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func (c *geoCase) lm() [5][2]float32 {
	var lm [5][2]float32
	for i, v := range c.Landmarks {
		lm[i/2][i%2] = float32(v)
	}
	return lm
}

// Every geometric quantity of the five oracle cases, exactly.
func TestPlanGolden(t *testing.T) {
	for _, c := range readGeoCases(t) {
		p, err := NewPlan(c.lm(), c.OrigSize[0], c.OrigSize[1])
		if err != nil {
			t.Fatal(err)
		}
		shrink := p.Shrink
		if shrink <= 1 {
			shrink = 0
		}
		for _, chk := range []struct {
			what      string
			got, want any
		}{
			{"x", p.X, c.X}, {"c", p.C, c.C},
			{"quad_initial", p.QuadInitial, c.QuadInitial}, {"zoom_initial", p.ZoomInitial, c.ZoomInitial},
			{"shrink", shrink, c.Shrink}, {"border", p.Border, c.Border},
			{"crop_box", p.Crop, c.CropBox}, {"crop_applied", p.CropApplied, c.CropApplied},
			{"superres", max(p.Superres, 1), max(c.Superres, 1)},
			{"pad_raw", p.Pad.Raw, c.PadRaw}, {"pad_applied", p.Pad.Apply, c.PadApplied},
			{"quad_final", p.Quad, c.QuadFinal}, {"transform_data", p.TransformData(), c.Transform},
			{"zoom_final", p.Zoom, c.ZoomFinal},
		} {
			if chk.got != chk.want {
				t.Errorf("idx %d (%s): %s = %v, want %v", c.Idx, c.Case, chk.what, chk.got, chk.want)
			}
		}
	}
}
