package pillow

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The golden tests compare against md5s made by the oracle (Pillow 3.1.1
// itself), copied unchanged from the shared fixtures; testdata/README.md
// lists the files and how they were made. Setting PILLOW_FIXTURES to the
// fixtures folder (the one holding lsun-mini/ and celebahq-mini/) runs the
// same checks on every image there, including those too large to keep here.

// fixture returns the path of a fixture file: under $PILLOW_FIXTURES/dir
// when that is set, else under testdata/<local>. The boolean is false when
// the file is absent (only a subset of the images is kept in testdata).
func fixture(t *testing.T, dir, local, name string) (string, bool) {
	t.Helper()
	var p string
	if root := os.Getenv("PILLOW_FIXTURES"); root != "" {
		p = filepath.Join(root, dir, name)
	} else {
		p = filepath.Join("testdata", local, filepath.Base(name))
	}
	_, err := os.Stat(p)
	return p, err == nil
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadPNG(t *testing.T, path string) *Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return FromImage(m)
}

func md5HWC(m *Image) string {
	s := md5.Sum(m.Pix)
	return hex.EncodeToString(s[:])
}

// md5CHW is the md5 of the planar (channel, row, column) bytes, the order of
// the original's records.
func md5CHW(m *Image) string {
	n := m.Width * m.Height
	b := make([]byte, 0, len(m.Pix))
	for c := range m.Channels {
		for i := range n {
			b = append(b, m.Pix[i*m.Channels+c])
		}
	}
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// lsunExpected is the part of lsun-mini/expected.json the tests read.
type lsunExpected struct {
	Entries []struct {
		Name         string            `json:"name"`
		DecodedPNG   string            `json:"decoded_png"`
		DecodedShape []int             `json:"decoded_shape_hwc"`
		DecodedMD5   string            `json:"decoded_md5_hwc_rgb"`
		CropRows     []int             `json:"crop_rows"`
		CropCols     []int             `json:"crop_cols"`
		CropMD5      string            `json:"crop_md5_hwc_rgb"`
		TierMD5R64   map[string]string `json:"tier_md5_r64"`
		TierMD5R256  map[string]string `json:"tier_md5_r256"`
	} `json:"entries"`
}

// TestLSUN checks the centre crop and the ANTIALIAS resize to 64×64 and
// 256×256 of create_lsun against lsun-mini/expected.json: downscaling,
// upscaling (short sides 150 and 180) and 257 → 256.
func TestLSUN(t *testing.T) {
	path, _ := fixture(t, "lsun-mini", "lsun", "expected.json")
	var exp lsunExpected
	readJSON(t, path, &exp)
	tested := 0
	for _, e := range exp.Entries {
		if e.DecodedPNG == "" {
			continue
		}
		p, ok := fixture(t, "lsun-mini", "lsun", e.DecodedPNG)
		if !ok {
			continue
		}
		tested++
		t.Run(e.Name, func(t *testing.T) {
			src := loadPNG(t, p)
			if got := md5HWC(src); got != e.DecodedMD5 || src.Height != e.DecodedShape[0] || src.Width != e.DecodedShape[1] {
				t.Fatalf("decoded PNG: %dx%d md5 %s, want %dx%d %s",
					src.Width, src.Height, got, e.DecodedShape[1], e.DecodedShape[0], e.DecodedMD5)
			}
			crop := src.Crop(image.Rect(e.CropCols[0], e.CropRows[0], e.CropCols[1], e.CropRows[1]))
			if got := md5HWC(crop); got != e.CropMD5 {
				t.Errorf("crop md5 %s, want %s", got, e.CropMD5)
			}
			for _, tc := range []struct {
				res  int
				want string
			}{{64, e.TierMD5R64["64"]}, {256, e.TierMD5R256["256"]}} {
				out := Resize(crop, tc.res, tc.res)
				if got := md5CHW(out); got != tc.want {
					t.Errorf("%d→%d: md5 %s, want %s", crop.Width, tc.res, got, tc.want)
				}
			}
		})
	}
	if tested == 0 {
		t.Fatal("no LSUN fixture image found")
	}
}

// celebaCase is the part of a celebahq-mini/cases.json entry the tests read.
type celebaCase struct {
	Case          string             `json:"case"`
	Idx           int                `json:"idx"`
	PNGDecoded    string             `json:"png_decoded"`
	DecodedMD5    string             `json:"decoded_md5_hwc"`
	CropBox       []int              `json:"crop_box"`
	CropApplied   bool               `json:"crop_applied"`
	Superres      int                `json:"superres"`
	PadApplied    bool               `json:"pad_applied"`
	TransformData []float32          `json:"transform_data"`
	StageMD5      map[string]*string `json:"stage_md5"`
	StageSize     map[string][]int   `json:"stage_size"`
	ProcMD5       string             `json:"proc_md5"`
}

// TestCelebAHQ runs the Pillow stages of create_celebahq (shrink, crop,
// superres, the 4096×4096 QUAD warp and the 1024×1024 ANTIALIAS resize) on
// the decoded images of celebahq-mini and compares every stage md5 in
// cases.json. A case with the pad branch stops after superres: padding
// is numpy/scipy work outside this package.
func TestCelebAHQ(t *testing.T) {
	path, _ := fixture(t, "celebahq-mini", "celebahq", "cases.json")
	var cases []celebaCase
	readJSON(t, path, &cases)
	tested := 0
	for _, c := range cases {
		p, ok := fixture(t, "celebahq-mini", "celebahq", c.PNGDecoded)
		if !ok {
			continue
		}
		tested++
		t.Run(c.Case, func(t *testing.T) {
			img := loadPNG(t, p)
			if got := md5HWC(img); got != c.DecodedMD5 {
				t.Fatalf("decoded PNG md5 %s, want %s", got, c.DecodedMD5)
			}
			check := func(stage string, m *Image) {
				t.Helper()
				want := c.StageMD5[stage]
				if want == nil {
					t.Fatalf("stage %s has no md5", stage)
				}
				if got := md5HWC(m); got != *want {
					t.Fatalf("after %s (%dx%d): md5 %s, want %s", stage, m.Width, m.Height, got, *want)
				}
			}
			if c.StageMD5["shrink"] != nil {
				sz := c.StageSize["shrink"]
				img = Resize(img, sz[0], sz[1])
				check("shrink", img)
			}
			if c.CropApplied {
				b := c.CropBox
				img = img.Crop(image.Rect(b[0], b[1], b[2], b[3]))
				check("crop", img)
			}
			if c.Superres > 1 {
				img = Resize(img, img.Width*c.Superres, img.Height*c.Superres)
				check("superres", img)
			}
			if c.PadApplied {
				t.Log("pad branch (numpy/scipy, not in this package): later stages not checked")
				return
			}
			img = Quad(img, 4096, 4096, [8]float32(c.TransformData))
			check("transform4096", img)
			img = Resize(img, 1024, 1024)
			check("resize1024_hwc", img)
			if got := md5CHW(img); got != c.ProcMD5 {
				t.Errorf("proc md5 %s, want %s", got, c.ProcMD5)
			}
		})
	}
	if tested == 0 {
		t.Fatal("no CelebA-HQ fixture image found")
	}
}
