package celebahq

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/progan/progan/internal/jpeg"
	"github.com/progan/progan/internal/pillow"
)

// The whole pipeline from the raw JPEG on the five oracle cases: every
// stage md5 the oracle recorded, proc_md5 and, with the delta, final_md5.
func TestProcessGolden(t *testing.T) {
	const dir = "testdata/celebahq-mini"
	for _, c := range readGeoCases(t) {
		t.Run(c.Case, func(t *testing.T) {
			if testing.Short() && c.PadApplied {
				t.Skip("pad branch: a large blur")
			}
			jpg, err := os.ReadFile(filepath.Join(dir, "img_celeba", c.OrigFile))
			if err != nil {
				t.Fatal(err)
			}
			pix, w, h, ch, err := jpeg.DecodeRGB(jpg)
			if err != nil || ch != 3 {
				t.Fatal(err, ch)
			}
			if got := md5hex(pix); got != c.DecodedMD5 {
				t.Fatalf("decoded md5 %s, want %s", got, c.DecodedMD5)
			}
			p, err := NewPlan(c.lm(), w, h)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			proc, err := process(&pillow.Image{Width: w, Height: h, Channels: 3, Pix: pix}, p, func(stage string, m *pillow.Image) {
				seen[stage] = true
				want := c.StageMD5[stage]
				if want == nil {
					t.Errorf("stage %s ran; the original skips it", stage)
				} else if got := md5hex(m.Pix); got != *want {
					t.Errorf("stage %s: md5 %s, want %s", stage, got, *want)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			for stage, want := range c.StageMD5 {
				if want != nil && !seen[stage] {
					t.Errorf("stage %s did not run", stage)
				}
			}
			if got := md5hex(proc); got != c.ProcMD5 {
				t.Fatalf("proc md5 %s, want %s", got, c.ProcMD5)
			}
			if !c.PadApplied {
				// The public entry point, on the same samples as an
				// image.Image.
				rgba := (&pillow.Image{Width: w, Height: h, Channels: 3, Pix: pix}).ToImage()
				pub, err := Process(rgba, p)
				if err != nil {
					t.Fatal(err)
				}
				if got := md5hex(pub); got != c.ProcMD5 {
					t.Errorf("Process: proc md5 %s, want %s", got, c.ProcMD5)
				}
			}
			token, err := ReadDelta(filepath.Join(dir, "deltas"), c.Idx)
			if err != nil {
				t.Fatal(err)
			}
			delta, err := Delta(jpg, c.OrigFile, token)
			if err != nil {
				t.Fatal(err)
			}
			if err := ApplyDelta(proc, delta); err != nil {
				t.Fatal(err)
			}
			if got := md5hex(proc); got != c.FinalMD5 {
				t.Errorf("final md5 %s, want %s", got, c.FinalMD5)
			}
		})
	}
}

// BenchmarkImage makes each fixture image from its raw JPEG, delta
// included, on one goroutine: seconds per image per core.
func BenchmarkImage(b *testing.B) {
	j, err := NewJob(Options{CelebADir: mini, DeltasDir: filepath.Join(mini, "deltas")})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	for _, r := range j.rows {
		b.Run(fmt.Sprintf("idx%05d", r.Idx), func(b *testing.B) {
			for b.Loop() {
				if _, err := j.make(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
