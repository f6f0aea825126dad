package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/pyramid"
)

// progan runs the command line in-process and returns exit code and output.
func progan(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writePNG(t *testing.T, path string, w, h int, gray bool) {
	writePNGSeed(t, path, w, h, gray, 0)
}

func writePNGSeed(t *testing.T, path string, w, h int, gray bool, seed int) {
	t.Helper()
	var img image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = byte(i * 7)
		}
		img = g
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				m.Set(x, y, color.RGBA{byte(x * 9), byte(y*5 + seed), byte(x + y*seed), 255})
			}
		}
		img = m
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func folder(t *testing.T, n, size int) string {
	dir := t.TempDir()
	for i := range n {
		writePNGSeed(t, filepath.Join(dir, string(rune('a'+i))+".png"), size, size, false, i)
	}
	return dir
}

func TestImagesInfoVerifyExtractCompare(t *testing.T) {
	in := folder(t, 6, 16)
	out := filepath.Join(t.TempDir(), "ds")
	if code, _, stderr := progan(t, "images", "--quiet", "-o", out, in); code != 0 {
		t.Fatalf("images: exit %d: %s", code, stderr)
	}
	code, stdout, _ := progan(t, "info", "--json", out)
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &info) != nil {
		t.Fatalf("info: exit %d: %s", code, stdout)
	}
	for k, want := range map[string]float64{"images": 6, "resolution": 16, "channels": 3, "label_size": 0} {
		if info[k] != want {
			t.Errorf("info %s = %v, want %v", k, info[k], want)
		}
	}
	if tiers := info["tiers"].([]any); len(tiers) != 3 {
		t.Errorf("%d tiers", len(tiers))
	}
	if code, stdout, _ := progan(t, "verify", "--quiet", "--deep", out); code != 0 || !strings.HasPrefix(stdout, "OK") {
		t.Fatalf("verify: exit %d: %s", code, stdout)
	}
	ex := t.TempDir()
	if code, _, stderr := progan(t, "extract", "--quiet", "--tier", "8", "--range", "2:", "-o", ex, out); code != 0 {
		t.Fatalf("extract: %s", stderr)
	}
	if entries, _ := os.ReadDir(ex); len(entries) != 4 || entries[0].Name() != "img00000002.png" {
		t.Fatalf("extracted %v", entries)
	}
	shuffled := filepath.Join(t.TempDir(), "sh")
	progan(t, "images", "--quiet", "--shuffle", "-o", shuffled, in)
	code, stdout, _ = progan(t, "compare", "--quiet", out, out)
	if code != 0 || !strings.Contains(stdout, "Identical images: 6 / 6") {
		t.Fatalf("compare with itself: exit %d: %s", code, stdout)
	}
	code, stdout, _ = progan(t, "compare", "--quiet", out, shuffled)
	if code != 1 || !strings.Contains(stdout, "is different") {
		t.Fatalf("compare with shuffled: exit %d: %s", code, stdout)
	}
}

func TestImagesBadInputs(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string)
		args  []string
		code  int
		want  string // in stderr
	}{
		{"non-square", func(dir string) { writePNG(t, filepath.Join(dir, "b.png"), 16, 8, false) }, nil, 1, "b.png"},
		{"wrong size", func(dir string) { writePNG(t, filepath.Join(dir, "b.png"), 32, 32, false) }, nil, 1, "32x32"},
		{"truncated", func(dir string) {
			writePNG(t, filepath.Join(dir, "b.png"), 16, 16, false)
			p := filepath.Join(dir, "b.png")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, nil, 1, "b.png"},
		{"text named png", func(dir string) { os.WriteFile(filepath.Join(dir, "b.png"), []byte("hello"), 0o644) }, nil, 1, "b.png"},
		{"keep going", func(dir string) { os.WriteFile(filepath.Join(dir, "b.png"), []byte("hello"), 0o644) }, []string{"--keep-going"}, 0, ""},
		{"non-images ignored", func(dir string) {
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			os.WriteFile(filepath.Join(dir, "README.txt"), []byte("x"), 0o644)
			os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("x"), 0o644)
		}, nil, 0, ""},
		{"resize fixes sizes", func(dir string) { writePNG(t, filepath.Join(dir, "b.png"), 40, 30, false) }, []string{"--resolution", "8"}, 0, ""},
		{"bad resolution", func(string) {}, []string{"--resolution", "12"}, 2, "power of two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := t.TempDir()
			writePNG(t, filepath.Join(in, "a.png"), 16, 16, false)
			writePNG(t, filepath.Join(in, "c.png"), 16, 16, true) // gray joins a colour set
			tc.setup(in)
			out := filepath.Join(t.TempDir(), "ds")
			args := append([]string{"images", "--quiet", "-o", out}, tc.args...)
			code, stdout, stderr := progan(t, append(args, in)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q), stdout %q", code, tc.code, stderr, tc.want, stdout)
			}
			_, err := os.Stat(out)
			if tc.code != 0 && err == nil {
				t.Fatal("a failed run left the output folder")
			}
			if tc.code == 0 && err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKeepGoingListsSkipped(t *testing.T) {
	in := folder(t, 3, 8)
	os.WriteFile(filepath.Join(in, "broken.jpg"), []byte{0xff, 0xd8, 0xff}, 0o644)
	out := filepath.Join(t.TempDir(), "ds")
	code, stdout, stderr := progan(t, "images", "--quiet", "--keep-going", "--json", "-o", out, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s packSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Images != 3 || s.Inputs != 4 || len(s.Skipped) != 1 || !strings.HasSuffix(s.Skipped[0].Input, "broken.jpg") {
		t.Fatalf("summary %+v", s)
	}
	m, _ := os.ReadFile(filepath.Join(out, "progan-manifest.json"))
	if !strings.Contains(string(m), "broken.jpg") {
		t.Fatal("manifest does not list the skipped file")
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, c := range commands {
		code, _, stderr := progan(t, c.name, "--help")
		if code != 0 || !strings.Contains(stderr, "Example:\n  ") || !strings.Contains(stderr, "progan "+c.name) {
			t.Errorf("%s --help: exit %d:\n%s", c.name, code, stderr)
		}
	}
	if code, _, _ := progan(t, "nope"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestDemo(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := progan(t, "demo", "--quiet", "--train-kimg", "0.2", "--data", filepath.Join("..", "..", "testdata", "images"), "--out", out)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "OK:") || !strings.Contains(stdout, "Packed 256 images") {
		t.Fatalf("demo output:\n%s", stdout)
	}
}

// --shuffle stores input order[i] as record i, order being numpy's
// RandomState(123).shuffle(arange(n)) (checked against numpy in nprand).
func TestShuffleOrder(t *testing.T) {
	in := folder(t, 7, 8)
	plain := filepath.Join(t.TempDir(), "plain")
	shuffled := filepath.Join(t.TempDir(), "shuffled")
	progan(t, "images", "--quiet", "-o", plain, in)
	if code, _, stderr := progan(t, "images", "--quiet", "--shuffle", "-o", shuffled, in); code != 0 {
		t.Fatal(stderr)
	}
	a, err := pyramid.Open(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := pyramid.Open(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	order := nprand.New(123).Permutation(7)
	for i, src := range order {
		x, _ := b.Image(8, i)
		y, _ := a.Image(8, src)
		if !bytes.Equal(x.Pix, y.Pix) {
			t.Fatalf("shuffled record %d is not input %d (order %v)", i, src, order)
		}
	}
	if b.Manifest.Order != "shuffled" || b.Manifest.Seed == nil || *b.Manifest.Seed != 123 {
		t.Fatalf("manifest order %q seed %v", b.Manifest.Order, b.Manifest.Seed)
	}
}

// An interrupted run continues with --resume into the same bytes as an
// uninterrupted one.
func TestImagesResume(t *testing.T) {
	in := folder(t, 9, 8)
	straight := filepath.Join(t.TempDir(), "ds")
	progan(t, "images", "--quiet", "--shuffle", "-o", straight, in)

	out := filepath.Join(t.TempDir(), "ds")
	o := packOpts{dir: in, out: out, shuffle: true, seed: 123, filter: "lanczos", compress: "none"}
	paths, _ := imagefile.List(in, false)
	fp, err := fingerprint(o, paths)
	if err != nil {
		t.Fatal(err)
	}
	// The first 4 inputs of the shuffled order, then an interruption.
	w, _ := pyramid.Create(out, pyramid.Options{Fingerprint: fp})
	order := nprand.New(123).Permutation(9)
	for _, i := range order[:4] {
		img, _ := imagefile.Load(paths[i], imagefile.Options{})
		w.Add(img, nil)
	}
	if kept, err := w.Stop(); !kept || err != nil {
		t.Fatal(err)
	}
	code, _, stderr := progan(t, "images", "--quiet", "--shuffle", "--resume", "-o", out, in)
	if code != 0 || !strings.Contains(stderr, "resuming") || !strings.Contains(stderr, "after 4 of 9") {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := progan(t, "compare", "--quiet", straight, out); code != 0 {
		t.Fatalf("resumed dataset differs:\n%s", stdout)
	}
	// Other settings do not resume another run's partial output.
	w, _ = pyramid.Create(out+"2", pyramid.Options{Fingerprint: fp})
	w.Add(image.NewRGBA(image.Rect(0, 0, 8, 8)), nil)
	w.Stop()
	if code, _, stderr := progan(t, "images", "--quiet", "--resume", "-o", out+"2", in); code != 1 || !strings.Contains(stderr, "other inputs or settings") {
		t.Fatalf("resume with other settings: exit %d: %s", code, stderr)
	}
}

func TestMSSSIMCommand(t *testing.T) {
	in := folder(t, 5, 16)
	code, stdout, stderr := progan(t, "msssim", "--quiet", "--json", in)
	var r msssimResult
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if r.Pairs != 2 || r.MSSSIM <= 0 || r.MSSSIM >= 1 || !strings.Contains(stderr, "fewer than --num") {
		t.Fatalf("result %+v, stderr %q", r, stderr)
	}
	os.WriteFile(filepath.Join(in, "b.png"), []byte("junk"), 0o644)
	if code, _, stderr := progan(t, "msssim", "--quiet", in); code != 1 || !strings.Contains(stderr, "b.png") {
		t.Fatalf("broken file: exit %d: %s", code, stderr)
	}
	if code, _, _ := progan(t, "msssim", "--quiet", "--num", "1", in); code != 2 {
		t.Fatalf("--num 1: exit %d", code)
	}
}

func TestSWDCommand(t *testing.T) {
	reals := folder(t, 8, 16)
	fakes := t.TempDir()
	for i := range 4 {
		writePNGSeed(t, filepath.Join(fakes, string(rune('a'+i))+".png"), 16, 16, false, 40+9*i)
	}
	code, stdout, stderr := progan(t, "swd", "--quiet", "--json", "--noise-floor", reals, fakes)
	var out struct {
		Resolutions []int
		SWD         []float64
		Avg         float64
		Images      int
		Seed        int64
		NoiseFloor  *struct{ SWD []float64 } `json:"noise_floor"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &out) != nil {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if len(out.Resolutions) != 1 || out.Resolutions[0] != 16 || len(out.SWD) != 1 || out.Images != 4 || out.Seed != 123 || out.NoiseFloor == nil {
		t.Fatalf("output %+v", out)
	}
	// The same seed gives the same numbers; the table form prints them.
	_, again, _ := progan(t, "swd", "--quiet", "--json", "--noise-floor", reals, fakes)
	if again != stdout {
		t.Fatal("same seed, different result")
	}
	code, table, _ := progan(t, "swd", "--quiet", "--noise-floor", reals, fakes)
	if code != 0 || !strings.Contains(table, "reals2") || !strings.Contains(table, "fakes") || !strings.Contains(table, "avg") {
		t.Fatalf("table:\n%s", table)
	}
	// Bad inputs: mixed sizes, an unreadable file, too few images, a bad --rng.
	writePNG(t, filepath.Join(fakes, "z.png"), 32, 32, false)
	if code, _, stderr := progan(t, "swd", "--quiet", reals, fakes); code != 1 || !strings.Contains(stderr, "z.png") {
		t.Fatalf("mixed sizes: exit %d: %s", code, stderr)
	}
	os.WriteFile(filepath.Join(fakes, "z.png"), []byte("junk"), 0o644)
	if code, _, stderr := progan(t, "swd", "--quiet", reals, fakes); code != 1 || !strings.Contains(stderr, "z.png") {
		t.Fatalf("unreadable: exit %d: %s", code, stderr)
	}
	one := t.TempDir()
	writePNG(t, filepath.Join(one, "a.png"), 16, 16, false)
	if code, _, _ := progan(t, "swd", "--quiet", reals, one); code != 1 {
		t.Fatalf("one fake: exit %d", code)
	}
	if code, _, _ := progan(t, "swd", "--quiet", "--rng", "mt", reals, fakes); code != 2 {
		t.Fatalf("--rng mt: exit %d", code)
	}
}
