package inception

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/progan/progan/fidelity"
	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/inceptiontest"
	"github.com/progan/progan/internal/npy"
)

// The goldens of testdata/ were made by torch-fidelity's own code on
// Debian's PyTorch (testdata/gen/gen.py, see testdata/README.md): random
// weights in the published files' layout, the conv and fc weights from a
// formula (internal/inceptiontest) and the batch norm tensors and fc bias
// from testdata/bn.pth.

var (
	testModelOnce sync.Once
	testModel     *Model
	testModelErr  error
)

func goldenModel(t testing.TB) *Model {
	t.Helper()
	testModelOnce.Do(func() {
		w, err := inceptiontest.Load("testdata/bn.pth")
		if err != nil {
			testModelErr = err
			return
		}
		tensors := map[string]Tensor{}
		for _, l := range Layout() {
			v, err := w.Tensor(l.Name, l.Shape)
			if err != nil {
				testModelErr = err
				return
			}
			tensors[l.Name] = Tensor{Shape: l.Shape, Data: v}
		}
		testModel, testModelErr = New(tensors)
	})
	if testModelErr != nil {
		t.Fatal(testModelErr)
	}
	return testModel
}

func TestLayout(t *testing.T) {
	b, err := os.ReadFile("testdata/layout.txt")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range Layout() {
		s := make([]string, len(l.Shape))
		for i, d := range l.Shape {
			s[i] = fmt.Sprint(d)
		}
		got = append(got, l.Name+" float32 "+strings.Join(s, ","))
	}
	want := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d tensors, torch-fidelity's state_dict has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tensor %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func f32sha(x []float32) string {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestResizeTF1(t *testing.T) {
	var g struct {
		Cases []struct {
			Input      string `json:"input"`
			SHA        string `json:"sha256"`
			Normalized string `json:"sha256_normalized"`
		} `json:"cases"`
	}
	readJSON(t, "testdata/resize.json", &g)
	for _, c := range g.Cases {
		var rgb []uint8
		var w, h int
		if strings.HasPrefix(c.Input, "synthetic") {
			w, h = 23, 17
			v := inceptiontest.Uniform(inceptiontest.Seed("resize"), 3*w*h)
			rgb = make([]uint8, len(v))
			for i, x := range v {
				// v = (2r+1−2²⁴)/2²⁴ → r
				r := int64(math.Round((x*(1<<24) + (1 << 24) - 1) / 2))
				rgb[i] = uint8(r % 256)
			}
		} else {
			img := loadImage(t, filepath.Join("testdata", c.Input))
			var err error
			rgb, w, h, err = planes(img)
			if err != nil {
				t.Fatal(err)
			}
		}
		x := make([]float32, 3*InputSize*InputSize)
		resizeTF1(x, rgb, w, h)
		if got := f32sha(x); got != c.SHA {
			t.Errorf("%s: resized sha256 %s, want %s (torch-fidelity's)", c.Input, got, c.SHA)
		}
		for i, v := range x {
			x[i] = (v - 128) / 128
		}
		if got := f32sha(x); got != c.Normalized {
			t.Errorf("%s: normalised sha256 %s, want %s", c.Input, got, c.Normalized)
		}
	}
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadImage(t testing.TB, path string) image.Image {
	t.Helper()
	img, err := imagefile.LoadAny(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func readNpy(t testing.TB, path string) *npy.Matrix {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := npy.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maxRel returns the largest |got−want| over the largest |want|.
func maxRel(got, want []float32) float64 {
	var d, s float64
	for i := range want {
		d = max(d, math.Abs(float64(got[i])-float64(want[i])))
		s = max(s, math.Abs(float64(want[i])))
	}
	return d / s
}

func TestFeatures(t *testing.T) {
	m := goldenModel(t)
	var g struct {
		Rows []string `json:"rows"`
	}
	readJSON(t, "testdata/features.json", &g)
	pool := readNpy(t, "testdata/features_2048.npy")
	unb := readNpy(t, "testdata/features_logits_unbiased.npy")
	logits := readNpy(t, "testdata/features_logits.npy")
	for i, name := range g.Rows {
		out, err := m.Run(loadImage(t, filepath.Join("testdata", name)), TorchFidelity)
		if err != nil {
			t.Fatal(err)
		}
		row := func(mm *npy.Matrix) []float32 { return mm.Data[i*mm.Cols : (i+1)*mm.Cols] }
		withBias := make([]float32, NumClasses)
		for j, v := range out.Logits {
			withBias[j] = v + m.Bias()[j]
		}
		for _, c := range []struct {
			what      string
			got, want []float32
		}{{"pool", out.Pool, row(pool)}, {"logits_unbiased", out.Logits, row(unb)}, {"logits", withBias, row(logits)}} {
			// PyTorch's own float32 result is 3.4e-5 of the largest value
			// away from its float64 one on these weights (which amplify
			// rounding more than the real ones): 1e-4 is float32 noise.
			e := maxRel(c.got, c.want)
			if e > 1e-4 {
				t.Errorf("%s: %s: largest error %.2g of the largest value", name, c.what, e)
			}
			t.Logf("%s: %s: largest error %.2g of the largest value", name, c.what, e)
		}
	}
}

// outputs runs m on the image files of testdata/dir, read as the commands
// read them, in name order.
func outputs(t *testing.T, m *Model, dir string, proto Protocol) (pool, logits []float32, n int) {
	t.Helper()
	files, err := imagefile.List(filepath.Join("testdata", dir), false)
	if err != nil {
		t.Fatal(err)
	}
	images := func(yield func(image.Image, error) bool) {
		for _, f := range files {
			img, err := imagefile.LoadPillowRGB(f)
			if !yield(img, err) || err != nil {
				return
			}
		}
	}
	for out, err := range m.Stream(t.Context(), images, proto, 0) {
		if err != nil {
			t.Fatal(err)
		}
		pool = append(pool, out.Pool...)
		logits = append(logits, out.Logits...)
	}
	return pool, logits, len(files)
}

// fidOf is the FID of two sets of n1 and n2 pool feature vectors.
func fidOf(t *testing.T, f1 []float32, n1 int, f2 []float32, n2 int) float64 {
	t.Helper()
	stats := func(f []float32, n int) *fidelity.Stats {
		a := fidelity.NewAccumulator(PoolDim)
		for i := range n {
			a.Add(f[i*PoolDim : (i+1)*PoolDim])
		}
		s, err := a.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fid, err := fidelity.FID(stats(f1, n1), stats(f2, n2))
	if err != nil {
		t.Fatal(err)
	}
	return fid
}

// isOf is the Inception Score of n logit vectors.
func isOf(t *testing.T, logits []float32, n, splits int) (mean, std float64) {
	t.Helper()
	a, err := fidelity.NewISAccumulator(n, NumClasses, fidelity.ISOptions{Splits: splits})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := a.Add(logits[i*NumClasses : (i+1)*NumClasses]); err != nil {
			t.Fatal(err)
		}
	}
	mean, std, err = a.Score()
	if err != nil {
		t.Fatal(err)
	}
	return mean, std
}

// metric is a score against the Python tool's, with its relative tolerance.
type metric struct {
	what      string
	got, want float64
	tol       float64
}

func checkMetrics(t *testing.T, ms []metric) {
	t.Helper()
	for _, c := range ms {
		e := math.Abs(c.got-c.want) / math.Abs(c.want)
		if e > c.tol {
			t.Errorf("%s = %.10g, reference %.10g: relative error %.2g > %g", c.what, c.got, c.want, e, c.tol)
		} else {
			t.Logf("%s = %.10g, reference %.10g: relative error %.2g", c.what, c.got, c.want, e)
		}
	}
}

// TestMetricsEndToEnd scores testdata/fakes against testdata/reals as
// torch_fidelity.calculate_metrics did (testdata/metrics.json).
func TestMetricsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the network on 128 images")
	}
	m := goldenModel(t)
	var g struct {
		FID     float64 `json:"frechet_inception_distance"`
		KID     float64 `json:"kernel_inception_distance_mean"`
		KIDStd  float64 `json:"kernel_inception_distance_std"`
		IS4     float64 `json:"inception_score_mean_splits4"`
		IS4Std  float64 `json:"inception_score_std_splits4"`
		IS10    float64 `json:"inception_score_mean_splits10"`
		IS10Std float64 `json:"inception_score_std_splits10"`
	}
	readJSON(t, "testdata/metrics.json", &g)
	fp, fl, nf := outputs(t, m, "fakes", TorchFidelity)
	rp, _, nr := outputs(t, m, "reals", TorchFidelity)
	kid, kidStd, err := fidelity.KID(fp, nf, rp, nr, PoolDim, fidelity.KIDOptions{Subsets: 10, SubsetSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	is4, is4std := isOf(t, fl, nf, 4)
	is10, is10std := isOf(t, fl, nf, 10)
	checkMetrics(t, []metric{
		{"FID", fidOf(t, fp, nf, rp, nr), g.FID, 1e-5},
		{"KID", kid, g.KID, 1e-5},
		{"KID std", kidStd, g.KIDStd, 1e-3},
		{"IS (4 splits)", is4, g.IS4, 1e-5},
		{"IS std (4 splits)", is4std, g.IS4Std, 1e-3},
		{"IS (10 splits)", is10, g.IS10, 1e-5},
		{"IS std (10 splits)", is10std, g.IS10Std, 1e-3},
	})
}

// TestPytorchFIDProtocol checks the pytorch-fid protocol against
// pytorch-fid's own InceptionV3 on the same weights
// (testdata/pytorch_fid.json).
func TestPytorchFIDProtocol(t *testing.T) {
	m := goldenModel(t)
	want := readNpy(t, "testdata/pytorch_fid_features_2048.npy")
	for i := range want.Rows {
		name := fmt.Sprintf("testdata/fakes/%04d.png", i)
		out, err := m.Run(loadImage(t, name), PytorchFID)
		if err != nil {
			t.Fatal(err)
		}
		e := maxRel(out.Pool, want.Data[i*want.Cols:(i+1)*want.Cols])
		if e > 1e-4 {
			t.Errorf("%s: pool features: largest error %.2g of the largest value", name, e)
		}
		t.Logf("%s: pool features: largest error %.2g of the largest value", name, e)
	}
}

// TestPytorchFIDEndToEnd: FID of testdata/fakes against testdata/reals
// under the pytorch-fid protocol, against pytorch-fid's own
// calculate_frechet_distance of its own features (testdata/pytorch_fid.json).
func TestPytorchFIDEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the network on 128 images")
	}
	m := goldenModel(t)
	var g struct {
		FID float64 `json:"fid_fakes_vs_reals_calculate_frechet_distance"`
	}
	readJSON(t, "testdata/pytorch_fid.json", &g)
	fp, _, nf := outputs(t, m, "fakes", PytorchFID)
	rp, _, nr := outputs(t, m, "reals", PytorchFID)
	checkMetrics(t, []metric{{"FID (pytorch-fid)", fidOf(t, fp, nf, rp, nr), g.FID, 1e-5}})
}

// TestMetricsManyImages scores testdata/many/fakes against
// testdata/many/reals, 250 images each, against torch-fidelity's
// calculate_metrics (testdata/many.json, made by testdata/gen/gen_many.py).
func TestMetricsManyImages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the network on 500 images")
	}
	m := goldenModel(t)
	var g struct {
		FID    float64 `json:"frechet_inception_distance"`
		KID    float64 `json:"kernel_inception_distance_mean"`
		KIDStd float64 `json:"kernel_inception_distance_std"`
		IS     float64 `json:"inception_score_mean"`
		ISStd  float64 `json:"inception_score_std"`
	}
	readJSON(t, "testdata/many.json", &g)
	fp, fl, nf := outputs(t, m, "many/fakes", TorchFidelity)
	rp, _, nr := outputs(t, m, "many/reals", TorchFidelity)
	kid, kidStd, err := fidelity.KID(fp, nf, rp, nr, PoolDim, fidelity.KIDOptions{Subsets: 50, SubsetSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	is, isStd := isOf(t, fl, nf, 10)
	checkMetrics(t, []metric{
		{"FID", fidOf(t, fp, nf, rp, nr), g.FID, 1e-5},
		{"KID", kid, g.KID, 1e-5},
		{"KID std", kidStd, g.KIDStd, 1e-3},
		{"IS", is, g.IS, 1e-5},
		{"IS std", isStd, g.ISStd, 1e-3},
	})
}
