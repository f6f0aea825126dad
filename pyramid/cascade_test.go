package pyramid

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/progan/progan/planar"
)

// Hand-computed from docs/cascade.md: lod k = round-half-even of the mean of
// the 2^k×2^k block. The 8×8 plane below has blocks whose means are exact
// ties (x.5) at lod 1 and (x.5, x.25, x.75) at lod 2.
func TestCascadeTies(t *testing.T) {
	top := planar.NewImage(1, 8)
	rows := [8][8]byte{
		{0, 1, 1, 2, 2, 3, 255, 254},
		{0, 1, 1, 2, 2, 3, 255, 254},
		{3, 4, 5, 6, 10, 10, 0, 1},
		{3, 4, 5, 6, 10, 11, 0, 0},
		{1, 1, 0, 0, 7, 7, 7, 7},
		{1, 1, 0, 0, 7, 7, 7, 8},
		{2, 2, 2, 2, 100, 101, 102, 103},
		{2, 2, 2, 3, 104, 105, 106, 107},
	}
	for y, row := range rows {
		copy(top.Pix[y*8:], row[:])
	}
	// lod 1 (4×4): block sums /4.
	//  row 0: (0+1+0+1)/4=0.5→0, (1+2+1+2)/4=1.5→2, (2+3+2+3)/4=2.5→2, (255+254+255+254)/4=254.5→254
	//  row 1: (3+4+3+4)/4=3.5→4, (5+6+5+6)/4=5.5→6, (10+10+10+11)/4=10.25→10, (0+1+0+0)/4=0.25→0
	//  row 2: 1, 0, 7, (7+7+7+8)/4=7.25→7
	//  row 3: (2+2+2+2)/4=2, (2+2+2+3)/4=2.25→2, (100+101+104+105)/4=102.5→102, (102+103+106+107)/4=104.5→104
	want4 := []byte{0, 2, 2, 254, 4, 6, 10, 0, 1, 0, 7, 7, 2, 2, 102, 104}
	tiers := Downsample(top)
	if len(tiers) != 1 || tiers[0].Size != 4 {
		t.Fatalf("Downsample(8×8) gave %d tiers", len(tiers))
	}
	if !bytes.Equal(tiers[0].Pix, want4) {
		t.Fatalf("4×4 = %v\nwant %v", tiers[0].Pix, want4)
	}

	// lod 2 of a 16×16 image: 4×4 blocks whose means are 0.5, 1.5, 2.5, 1.25, 1.75.
	top16 := planar.NewImage(1, 16)
	fill := func(bx, by int, vals ...byte) { // 16 values for the 4×4 block (bx, by)
		for i, v := range vals {
			top16.Pix[(by*4+i/4)*16+bx*4+i%4] = v
		}
	}
	fill(0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)                                 // sum 8  → 0.5  → 0
	fill(1, 0, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2)                                 // sum 24 → 1.5  → 2
	fill(2, 0, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3)                                 // sum 40 → 2.5  → 2
	fill(3, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2)                                 // sum 20 → 1.25 → 1
	fill(0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1)                                 // sum 28 → 1.75 → 2
	fill(1, 1, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 247) // 4072 → 254.5 → 254
	tiers = Downsample(top16)
	if len(tiers) != 2 || tiers[1].Size != 4 {
		t.Fatalf("Downsample(16×16) gave %d tiers", len(tiers))
	}
	got := tiers[1].Pix
	for i, want := range map[int]byte{0: 0, 1: 2, 2: 2, 3: 1, 4: 2, 5: 254} {
		if got[i] != want {
			t.Errorf("16→4 pixel %d = %d, want %d", i, got[i], want)
		}
	}
	// lod 1 of block (1,1) has 2×2 means 255,255,255,253 and lod 2 must use
	// the unquantised lod-1 values: (255*3+253)/4 = 254.5 → 254 either way,
	// while the lod-1 pixel (255+255+255+247)/4 = 253 exactly.
	if p := tiers[0].Pix[3*8+3]; p != 253 {
		t.Errorf("16→8 pixel (3,3) = %d, want 253", p)
	}
}

// The integer cascade must equal the original's float32 cascade
// (floatTiers, written term by term from the reference) on random images,
// including images built to produce many ties.
func TestCascadeMatchesFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{4, 8, 16, 64, 256, 1024} {
		for _, c := range []int{1, 3} {
			for _, kind := range []string{"uniform", "ties", "extremes"} {
				top := planar.NewImage(c, size)
				for i := range top.Pix {
					switch kind {
					case "uniform":
						top.Pix[i] = byte(rng.IntN(256))
					case "ties":
						top.Pix[i] = byte(100 + rng.IntN(2))
					case "extremes":
						top.Pix[i] = byte(255 * rng.IntN(2))
					}
				}
				var want [][]byte
				floatTiers(top, nil, func(lod int, pix []byte) { want = append(want, bytes.Clone(pix)) })
				got := Downsample(top)
				if len(got) != len(want) {
					t.Fatalf("%d×%d: %d tiers, want %d", size, size, len(got), len(want))
				}
				for k := range got {
					if !bytes.Equal(got[k].Pix, want[k]) {
						t.Fatalf("%s %d×%d×%d: lod %d differs from the float32 cascade", kind, c, size, size, k+1)
					}
				}
			}
		}
	}
}
