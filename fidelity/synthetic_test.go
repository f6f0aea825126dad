package fidelity

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/progan/progan/internal/inceptiontest"
)

// The goldens of ../inception/testdata/synthetic.json were computed by
// torch-fidelity's own metric functions (../inception/testdata/gen/gen.py)
// on feature vectors from the test formula of internal/inceptiontest.

func stream(name string, n int, f func(v float64) float64) []float32 {
	v := inceptiontest.Uniform(inceptiontest.Seed(name), n)
	out := make([]float32, n)
	for i, x := range v {
		out[i] = float32(f(x))
	}
	return out
}

func sha(f []float32) string {
	b := make([]byte, 4*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type syntheticGolden struct {
	Inputs struct {
		SHA1 string `json:"sha256_features1"`
		SHA2 string `json:"sha256_features2"`
		SHAL string `json:"sha256_logits"`
	} `json:"inputs"`
	FID struct {
		FID       float64    `json:"frechet_inception_distance"`
		Mu1       []float64  `json:"mu1_0_4"`
		Sigma1    [3]float64 `json:"sigma1_00_01_11"`
		Trace1    float64    `json:"sigma1_trace"`
		Trace2    float64    `json:"sigma2_trace"`
		TrCovmean float64    `json:"tr_covmean"`
		DiffDot   float64    `json:"diff_dot_diff"`
	} `json:"fid"`
	KID struct {
		Mean float64 `json:"kernel_inception_distance_mean"`
		Std  float64 `json:"kernel_inception_distance_std"`
	} `json:"kid"`
	ISC struct {
		Splits10 struct {
			Mean float64 `json:"inception_score_mean"`
			Std  float64 `json:"inception_score_std"`
		} `json:"splits10"`
		Splits3 struct {
			Mean float64 `json:"inception_score_mean"`
			Std  float64 `json:"inception_score_std"`
		} `json:"splits3"`
	} `json:"isc"`
}

func loadSynthetic(t *testing.T) (g syntheticGolden, f1, f2, logits []float32) {
	b, err := os.ReadFile("../inception/testdata/synthetic.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	f1 = stream("features1", 300*2048, func(v float64) float64 { return (v + 1) * (v + 1) })
	f2 = stream("features2", 400*2048, func(v float64) float64 { return (v+1)*(v+1)*1.25 + 0.1 })
	logits = stream("logits", 300*1008, func(v float64) float64 { return v * 4 })
	for _, c := range []struct{ got, want string }{{sha(f1), g.Inputs.SHA1}, {sha(f2), g.Inputs.SHA2}, {sha(logits), g.Inputs.SHAL}} {
		if c.got != c.want {
			t.Fatalf("formula inputs differ from the generator's: sha256 %s, want %s", c.got, c.want)
		}
	}
	return
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func statsOf(f []float32, n, dim int) *Stats {
	a := NewAccumulator(dim)
	for i := range n {
		a.Add(f[i*dim : (i+1)*dim])
	}
	s, err := a.Stats()
	if err != nil {
		panic(err)
	}
	return s
}

func TestSyntheticFID(t *testing.T) {
	g, f1, f2, _ := loadSynthetic(t)
	s1, s2 := statsOf(f1, 300, 2048), statsOf(f2, 400, 2048)
	for i, want := range g.FID.Mu1 {
		if s1.Mean[i] != want {
			t.Errorf("mu1[%d] = %v, want %v (float32 mean)", i, s1.Mean[i], want)
		}
	}
	for k, want := range g.FID.Sigma1 {
		got := []float64{s1.Cov[0], s1.Cov[1], s1.Cov[2048+1]}[k]
		if relErr(got, want) > 1e-12 {
			t.Errorf("sigma1 element %d = %v, want %v", k, got, want)
		}
	}
	trc, err := traceSqrtProduct(s1.Cov, s2.Cov, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// numpy's non-symmetric eigvals add the square roots of the rounding noise
	// of Σ1Σ2's ~1750 zero eigenvalues (rank 299): about 1e-7 of the trace.
	if e := relErr(trc, g.FID.TrCovmean); e > 1e-6 {
		t.Errorf("tr √(Σ1Σ2) = %v, want %v (relative error %.2g)", trc, g.FID.TrCovmean, e)
	}
	fid, err := FID(s1, s2)
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(fid, g.FID.FID); e > 1e-6 {
		t.Errorf("FID = %.12g, want %.12g (relative error %.2g)", fid, g.FID.FID, e)
	}
	t.Logf("FID %.12g, torch-fidelity %.12g, relative error %.2g", fid, g.FID.FID, relErr(fid, g.FID.FID))
}

func TestSyntheticKID(t *testing.T) {
	g, f1, f2, _ := loadSynthetic(t)
	mean, std, err := KID(f1, 300, f2, 400, 2048, KIDOptions{Subsets: 20, SubsetSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(mean, g.KID.Mean); e > 1e-5 {
		t.Errorf("KID = %.12g, want %.12g (relative error %.2g)", mean, g.KID.Mean, e)
	}
	if e := relErr(std, g.KID.Std); e > 1e-3 {
		t.Errorf("KID std = %.12g, want %.12g (relative error %.2g)", std, g.KID.Std, e)
	}
	t.Logf("KID %.12g ± %.6g, torch-fidelity %.12g ± %.6g", mean, std, g.KID.Mean, g.KID.Std)
}

func TestSyntheticIS(t *testing.T) {
	g, _, _, logits := loadSynthetic(t)
	for _, c := range []struct {
		splits    int
		mean, std float64
	}{{10, g.ISC.Splits10.Mean, g.ISC.Splits10.Std}, {3, g.ISC.Splits3.Mean, g.ISC.Splits3.Std}} {
		a, err := NewISAccumulator(300, 1008, ISOptions{Splits: c.splits})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			if err := a.Add(logits[i*1008 : (i+1)*1008]); err != nil {
				t.Fatal(err)
			}
		}
		mean, std, err := a.Score()
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(mean, c.mean); e > 1e-9 {
			t.Errorf("splits %d: IS = %.12g, want %.12g (relative error %.2g)", c.splits, mean, c.mean, e)
		}
		if e := relErr(std, c.std); e > 1e-6 {
			t.Errorf("splits %d: IS std = %.12g, want %.12g (relative error %.2g)", c.splits, std, c.std, e)
		}
	}
}
