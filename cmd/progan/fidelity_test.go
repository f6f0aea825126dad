package main

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/fidelity"
	"github.com/progan/progan/inception"
	"github.com/progan/progan/internal/inceptiontest"
	"github.com/progan/progan/trainer/safetensors"
)

// testWeights writes inception/testdata's test weights (see its README) as
// a safetensors file, a format Load reads, and returns its path.
func testWeights(t *testing.T) string {
	t.Helper()
	w, err := inceptiontest.Load("../../inception/testdata/bn.pth")
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, l := range inception.Layout() {
		data, err := w.Tensor(l.Name, l.Shape)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Tensor{Name: l.Name, Shape: l.Shape, Data: data})
	}
	p := filepath.Join(t.TempDir(), "test-weights.safetensors")
	if err := safetensors.WriteFile(p, ts, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInceptionCommands scores inception/testdata's fakes against its reals
// with the commands and checks torch-fidelity's numbers
// (inception/testdata/metrics.json), the cache of the reals, and the
// commands' refusals.
func TestInceptionCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Inception v3 on 192 images")
	}
	w := testWeights(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv(inception.WeightsEnv, w)
	reals, fakes := "../../inception/testdata/reals", "../../inception/testdata/fakes"
	var golden map[string]float64
	b, err := os.ReadFile("../../inception/testdata/metrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.Unmarshal(b, &raw)
	golden = map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			golden[k] = f
		}
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if d := (got - want) / want; d > tol || d < -tol {
			t.Errorf("%s = %.10g, torch-fidelity %.10g", what, got, want)
		}
	}
	jsonOut := func(args ...string) map[string]any {
		t.Helper()
		code, out, errOut := progan(t, args...)
		if code != 0 {
			t.Fatalf("progan %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("progan %s: %v: %q", strings.Join(args, " "), err, out)
		}
		return m
	}

	// KID first: the reals' features are computed and cached.
	k := jsonOut("kid", "--json", "--subsets", "10", "--subset-size", "32", reals, fakes)
	near("KID", k["kid"].(float64), golden["kernel_inception_distance_mean"], 1e-5)
	near("KID std", k["kid_std"].(float64), golden["kernel_inception_distance_std"], 1e-3)
	if k["reals"].(map[string]any)["cached"] == true {
		t.Error("kid: reals cached on the first run")
	}
	f := jsonOut("fid", "--json", reals, fakes)
	near("FID", f["fid"].(float64), golden["frechet_inception_distance"], 1e-5)
	i := jsonOut("is", "--json", "--splits", "4", fakes)
	near("IS", i["is"].(float64), golden["inception_score_mean_splits4"], 1e-5)
	near("IS std", i["is_std"].(float64), golden["inception_score_std_splits4"], 1e-3)

	// The second KID reads the reals from the cache, with the same result.
	k2 := jsonOut("kid", "--json", "--subsets", "10", "--subset-size", "32", reals, fakes)
	if k2["reals"].(map[string]any)["cached"] != true || k2["kid"] != k["kid"] {
		t.Errorf("second kid: %v, want the reals cached and KID %v", k2, k["kid"])
	}
	// --no-cache recomputes.
	f2 := jsonOut("fid", "--json", "--no-cache", "--num", "8", reals, fakes)
	if f2["reals"].(map[string]any)["cached"] == true || f2["reals"].(map[string]any)["images"] != 8.0 {
		t.Errorf("fid --no-cache --num 8: %v", f2)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"kid", "--subset-size", "100", reals, fakes}, 2, "--subset-size 100 is larger than a set (64 reals, 64 fakes)"},
		{[]string{"fid", "--protocol", "tf", reals, fakes}, 2, `--protocol "tf": want torch-fidelity or pytorch-fid`},
		{[]string{"is", "--splits", "65", fakes}, 2, "IS: 64 images in 65 splits"},
		{[]string{"fid", "--weights", filepath.Join(t.TempDir(), "weights-inception-2015-12-05-6726825d.pth"), reals, fakes}, 1, "no such file"},
		{[]string{"fid", reals}, 2, "want REALS and FAKES"},
	} {
		code, _, errOut := progan(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("progan %s: exit %d, %q; want exit %d and %q", strings.Join(c.args, " "), code, errOut, c.code, c.msg)
		}
	}
}

// TestInceptionWeightsChecked: a weights file whose name carries a hash
// that its content does not have is refused, and without any weights the
// message says where to get them.
func TestInceptionWeightsChecked(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("TORCH_HOME", dir)
	t.Setenv(inception.WeightsEnv, "")
	bad := filepath.Join(dir, inception.TorchFidelityFile)
	os.WriteFile(bad, []byte("not the weights"), 0o644)
	code, _, errOut := progan(t, "fid", "--weights", bad, "../../inception/testdata/reals", "../../inception/testdata/fakes")
	if code != 1 || !strings.Contains(errOut, "does not begin with 6726825d as the file's name says") {
		t.Errorf("damaged weights: exit %d, %q", code, errOut)
	}
	code, _, errOut = progan(t, "is", "../../inception/testdata/fakes")
	if code != 1 || !strings.Contains(errOut, inception.TorchFidelityURL) {
		t.Errorf("no weights: exit %d, %q", code, errOut)
	}
}

// TestInceptionCacheWrongShape: a cache entry that is well-formed but not
// of the shape its key promises (another vector length, another count) is
// reported and recomputed, not fed to FID or KID, which would fail on it.
func TestInceptionCacheWrongShape(t *testing.T) {
	w := testWeights(t)
	cacheHome := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cacheHome)
	t.Setenv(inception.WeightsEnv, w)
	dir := t.TempDir()
	for i := range 2 {
		img := image.NewGray(image.Rect(0, 0, 5, 3))
		for j := range img.Pix {
			img.Pix[j] = uint8(40*i + 17*j)
		}
		f, err := os.Create(filepath.Join(dir, string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	run := func(args ...string) string {
		t.Helper()
		code, _, errOut := progan(t, args...)
		if code != 0 {
			t.Fatalf("progan %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return errOut
	}
	run("fid", "--json", dir, dir)
	run("kid", "--json", "--subsets", "2", "--subset-size", "2", dir, dir)
	c := fidelity.Cache{Dir: filepath.Join(cacheHome, "progan", "inception")}
	for _, kind := range []string{"stats", "features"} {
		m, _ := filepath.Glob(filepath.Join(c.Dir, "*."+kind))
		if len(m) != 1 {
			t.Fatalf("cache entries %s: %v", kind, m)
		}
		key := strings.TrimSuffix(filepath.Base(m[0]), "."+kind)
		var err error
		if kind == "stats" {
			err = c.PutStats(key, &fidelity.Stats{N: 2, Dim: 1, Mean: []float64{0}, Cov: []float64{1}})
		} else {
			err = c.PutFeatures(key, []float32{1, 2}, 2, 1)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"fid", "--json", dir, dir},
		{"kid", "--json", "--subsets", "2", "--subset-size", "2", dir, dir},
	} {
		if errOut := run(args...); !strings.Contains(errOut, "warning: ignoring the cache") {
			t.Errorf("progan %s with a damaged cache entry: stderr %q, want a warning", strings.Join(args, " "), errOut)
		}
		if errOut := run(args...); strings.Contains(errOut, "warning") {
			t.Errorf("progan %s after the entry was replaced: stderr %q", strings.Join(args, " "), errOut)
		}
	}
}

// TestInceptionOfModel scores a trained network directly: the same numbers
// as scoring the images 'progan generate' writes with the same seed.
func TestInceptionOfModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny network and runs Inception v3 on 32 images")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv(inception.WeightsEnv, testWeights(t))
	ds := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", ds, folder(t, 16, 16)); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	run := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := progan(t, "train", "--quiet", "-o", run, "--fmap-base", "16", "--fmap-max", "8",
		"--phase-kimg", "0.016", "--total-kimg", "0.032", "--minibatch-base", "8", "--minibatch", "",
		"--tick-kimg", "0.032", "--network-ticks", "1", "--swd-images", "8", "--grid", "2x2", ds); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	fakes := filepath.Join(t.TempDir(), "fakes")
	if code, _, stderr := progan(t, "generate", "--quiet", "-o", fakes, "--num", "8", "--seed", "5", run); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	score := func(args ...string) map[string]any {
		t.Helper()
		code, out, stderr := progan(t, append([]string{"is", "--json", "--quiet", "--splits", "2"}, args...)...)
		if code != 0 {
			t.Fatalf("is %v: exit %d: %s", args, code, stderr)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	direct := score("--num", "8", "--sample-seed", "5", run)
	files := score(fakes)
	if direct["is"] != files["is"] || direct["is_std"] != files["is_std"] {
		t.Errorf("IS of the network %v ± %v, of its generated files %v ± %v", direct["is"], direct["is_std"], files["is"], files["is_std"])
	}
	if img := direct["images"].(map[string]any); img["generated"] != true || img["sample_seed"] != 5.0 {
		t.Errorf("images: %v", img)
	}
	code, _, stderr := progan(t, "fid", ds, run)
	if code != 2 || !strings.Contains(stderr, "is a trained network: --num N says how many images") {
		t.Errorf("fid without --num: exit %d, %q", code, stderr)
	}
}
