package pyramid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/planar"
)

// kill stops w as a killed process would: what was added reaches the
// files, nothing is finished, and the kernel drops the lock.
func kill(w *Writer) {
	w.drain()
	w.cleanupFiles()
	w.lock.Release()
}

// A second writer of the same output is refused at once and leaves the
// first one's partial folder alone; the first one finishes normally.
func TestWritersLockTheOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	dir := filepath.Join(t.TempDir(), "ds")
	w, err := Create(dir, Options{Fingerprint: "a"})
	if err != nil {
		t.Fatal(err)
	}
	imgs := []*planar.Image{randomImage(rng, 3, 8), randomImage(rng, 3, 8)}
	for _, img := range imgs {
		if err := w.Add(img, nil); err != nil {
			t.Fatal(err)
		}
	}
	for name, try := range map[string]func() error{
		"Create": func() error { _, err := Create(dir, Options{}); return err },
		"Resume": func() error { _, _, err := Resume(dir, Options{Fingerprint: "a"}); return err },
	} {
		if err := try(); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "in use by another progan") {
			t.Errorf("%s of a locked output: %v", name, err)
		}
	}
	if _, err := os.Stat(PartialDir(dir)); err != nil {
		t.Fatalf("the first writer's partial folder: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Images != 2 {
		t.Fatalf("%d images", d.Images)
	}
	if _, err := os.Stat(lockfile.Path(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after Close: %v", err)
	}

	// export-zip and extract outputs are locked too, and nothing is made.
	for name, try := range map[string]func(out string) error{
		"ExportZipFile": func(out string) error { return ExportZipFile(t.Context(), d, 8, out, ZipOptions{}) },
		"Extract":       func(out string) error { return Extract(t.Context(), d, 8, 0, -1, out, nil) },
	} {
		out := filepath.Join(t.TempDir(), "out")
		l, err := lockfile.Acquire(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := try(out); !errors.Is(err, ErrInUse) {
			t.Errorf("%s into a locked output: %v", name, err)
		}
		l.Release()
		if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
			t.Errorf("%s into a locked output made %v", name, entries[0].Name())
		}
	}
}

// stopped returns a partial dataset stopped after one skipped input and 5
// labelled images, and the options it was written with.
func stopped(t *testing.T) (dir string, opt Options) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 5))
	dir = filepath.Join(t.TempDir(), "ds")
	opt = Options{Fingerprint: "fp"}
	w, err := Create(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	w.Skip("bad.png", errors.New("broken"))
	for i := range 5 {
		if err := w.Add(randomImage(rng, 3, 16), []float32{float32(i), 1}); err != nil {
			t.Fatal(err)
		}
	}
	if kept, err := w.Stop(); !kept || err != nil {
		t.Fatalf("Stop: %v %v", kept, err)
	}
	return dir, opt
}

// Resume checks what it continues: damaged files and checkpoints are
// refused with a message saying how to start over, and nothing is
// published.
func TestResumeRefusesDamage(t *testing.T) {
	editCP := func(f func(cp map[string]any)) func(tmp string) {
		return func(tmp string) {
			p := filepath.Join(tmp, checkpointFile)
			b, _ := os.ReadFile(p)
			var cp map[string]any
			if err := json.Unmarshal(b, &cp); err != nil {
				panic(err)
			}
			f(cp)
			b, _ = json.Marshal(cp)
			os.WriteFile(p, b, 0o644)
		}
	}
	file := func(cp map[string]any, i int) map[string]any { return cp["files"].([]any)[i].(map[string]any) }
	top := "ds-r04.tfrecords"
	for _, tc := range []struct {
		name   string
		damage func(tmp string)
		want   string
	}{
		{"truncated tier", func(tmp string) { truncate(filepath.Join(tmp, top), -10) }, top},
		{"flipped byte", func(tmp string) { flipByte(filepath.Join(tmp, top), 100) }, top},
		{"flipped label byte", func(tmp string) { flipByte(filepath.Join(tmp, "ds-rxx.labels.rows"), 3) }, "labels"},
		{"missing tier", func(tmp string) { os.Remove(filepath.Join(tmp, "ds-r02.tfrecords")) }, "ds-r02.tfrecords"},
		{"inputs 1e9", editCP(func(cp map[string]any) { cp["inputs"] = 1e9 }), "inputs"},
		{"images 1e9", editCP(func(cp map[string]any) { cp["images"] = 1e9; cp["inputs"] = 1e9 + 1 }), "ds-r04.tfrecords"},
		{"huge resolution", editCP(func(cp map[string]any) { cp["resolution"] = 1 << 40 }), "resolution"},
		{"resolution 12", editCP(func(cp map[string]any) { cp["resolution"] = 12 }), "resolution"},
		{"channels 2", editCP(func(cp map[string]any) { cp["channels"] = 2 }), "channels"},
		{"negative label size", editCP(func(cp map[string]any) { cp["label_size"] = -1 }), "label"},
		{"huge label size", editCP(func(cp map[string]any) { cp["label_size"] = 1 << 40 }), "label"},
		{"file dropped", editCP(func(cp map[string]any) { cp["files"] = cp["files"].([]any)[1:] }), "files"},
		{"file renamed", editCP(func(cp map[string]any) { file(cp, 0)["name"] = "../../etc/passwd" }), "passwd"},
		{"size changed", editCP(func(cp map[string]any) { file(cp, 1)["size"] = 12 }), "ds-r03.tfrecords"},
		{"size negative", editCP(func(cp map[string]any) { file(cp, 1)["size"] = -1 }), "ds-r03.tfrecords"},
		{"hash state garbage", editCP(func(cp map[string]any) { file(cp, 2)["sha256_state"] = "AAAA" }), "ds-r02.tfrecords"},
		{"hash state of other bytes", editCP(func(cp map[string]any) {
			file(cp, 0)["sha256_state"] = file(cp, 1)["sha256_state"]
		}), top},
		{"format", editCP(func(cp map[string]any) { cp["format"] = "progan-checkpoint/9" }), "format"},
		{"not json", func(tmp string) { os.WriteFile(filepath.Join(tmp, checkpointFile), []byte("{"), 0o644) }, "checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, opt := stopped(t)
			tc.damage(PartialDir(dir))
			w, _, err := Resume(dir, opt)
			if err == nil {
				// What the old code did: go on and publish.
				w.Close()
				t.Fatalf("resumed a damaged partial dataset")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "without resuming") {
				t.Errorf("error %q: want %q and how to start over", err, tc.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the destination appeared: %v", err)
			}
			if _, err := os.Stat(lockfile.Path(dir)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock left after a refused Resume: %v", err)
			}
		})
	}
	// Undamaged, the same partial dataset resumes and verifies.
	dir, opt := stopped(t)
	w, done, err := Resume(dir, opt)
	if err != nil || done != 6 {
		t.Fatalf("Resume: %d %v", done, err)
	}
	w.Add(randomImage(rand.New(rand.NewPCG(1, 1)), 3, 16), []float32{5, 1})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if rep, err := verifyDir(dir, VerifyOptions{Deep: true}); err != nil || !rep.OK() {
		t.Fatalf("resumed dataset: %v %v", err, rep.Problems)
	}
}

// A file that grew past its checkpoint (records written after it, then a
// kill) is cut back, not refused.
func TestResumeCutsBackLongerFiles(t *testing.T) {
	dir, opt := stopped(t)
	f, _ := os.OpenFile(filepath.Join(PartialDir(dir), "ds-r04.tfrecords"), os.O_WRONLY|os.O_APPEND, 0)
	f.Write(bytes.Repeat([]byte{7}, 999))
	f.Close()
	w, done, err := Resume(dir, opt)
	if err != nil || done != 6 {
		t.Fatalf("Resume: %d %v", done, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if rep, err := verifyDir(dir, VerifyOptions{}); err != nil || !rep.OK() {
		t.Fatalf("%v %v", err, rep.Problems)
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, labels := range []int{0, 3} {
		dir := filepath.Join(f.TempDir(), "ds")
		w, err := Create(dir, Options{Fingerprint: "fp"})
		if err != nil {
			f.Fatal(err)
		}
		w.Skip("x", errors.New("y"))
		for range 2 {
			w.Add(randomImage(rng, 1, 8), make([]float32, labels))
		}
		w.Stop()
		b, err := os.ReadFile(filepath.Join(PartialDir(dir), checkpointFile))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"progan-checkpoint/1","inputs":1e9}`))
	f.Add([]byte(`{"format":"progan-checkpoint/1","resolution":-4,"channels":3}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := parseCheckpoint(b, "ds")
		if err != nil {
			return
		}
		names := expectedFiles("ds", cp.Resolution, cp.LabelSize)
		if len(cp.Files) != len(names) {
			t.Fatalf("accepted %d files for %d", len(cp.Files), len(names))
		}
		for i, e := range cp.Files {
			if e.Name != names[i] || e.Size < 0 {
				t.Fatalf("accepted file %q of %d bytes", e.Name, e.Size)
			}
		}
		if cp.Inputs != cp.Images+len(cp.Skipped) || cp.Images < 0 {
			t.Fatalf("accepted %d inputs, %d images, %d skipped", cp.Inputs, cp.Images, len(cp.Skipped))
		}
		if cp.Resolution > MaxResolution || cp.Channels != 1 && cp.Channels != 3 {
			t.Fatalf("accepted %d×%d×%d", cp.Channels, cp.Resolution, cp.Resolution)
		}
	})
}

// Extract writes into an empty or new folder only, and the folder appears
// complete or not at all.
func TestExtractRefusesNonEmptyFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	writeDataset(t, dir, 3, 1, 8, 0, Options{})
	d, _ := Open(dir)
	defer d.Close()
	out := t.TempDir()
	mine := filepath.Join(out, "img00000000.png")
	os.WriteFile(mine, []byte("mine"), 0o644)
	if err := Extract(t.Context(), d, 8, 0, -1, out, nil); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), out) {
		t.Fatalf("extract into a non-empty folder: %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Fatal("an existing file was overwritten")
	}
	// Cancelled, nothing appears; finished, every file and nothing else.
	parent := t.TempDir()
	out = filepath.Join(parent, "new")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Extract(ctx, d, 8, 0, -1, out, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled extract: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a cancelled extract left %s", entries[0].Name())
	}
	if err := Extract(t.Context(), d, 4, 0, -1, out, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 || entries[2].Name() != "img00000002.png" {
		t.Fatalf("extracted %v", entries)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Fatalf("beside the output: %v", entries)
	}
}

// exportLabels writes a dataset with these label rows, exports it and
// returns the text of dataset.json.
func exportLabels(t *testing.T, rows [][]float32) (string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ds")
	rng := rand.New(rand.NewPCG(8, 8))
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Add(randomImage(rng, 1, 4), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var buf bytes.Buffer
	if err := ExportZip(t.Context(), d, 4, &buf, ZipOptions{}); err != nil {
		return "", err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	return string(b), nil
}

// stylegan2-ada-pytorch reads integer labels as classes and makes the
// label width the largest class + 1, and reads lists as float rows: the
// export keeps the dataset's width, and writes every float as one.
func TestExportZipLabelWidthAndFloats(t *testing.T) {
	oneHot := func(c, n int) []float32 { r := make([]float32, n); r[c] = 1; return r }
	negZero := float32(math.Copysign(0, -1))
	for _, tc := range []struct {
		name string
		rows [][]float32
		want string
	}{
		{"every class used", [][]float32{oneHot(1, 3), oneHot(2, 3), oneHot(0, 3)},
			`{"labels":[["00000/img00000000.png",1],["00000/img00000001.png",2],["00000/img00000002.png",0]]}`},
		{"last class unused", [][]float32{oneHot(0, 3), oneHot(1, 3)},
			`{"labels":[["00000/img00000000.png",[1.0,0.0,0.0]],["00000/img00000001.png",[0.0,1.0,0.0]]]}`},
		{"floats", [][]float32{{negZero, 0.25, 3}, {1e-7, 1e20, -2.5}},
			`{"labels":[["00000/img00000000.png",[-0.0,0.25,3.0]],["00000/img00000001.png",[1e-07,1e+20,-2.5]]]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exportLabels(t, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(got) != tc.want {
				t.Fatalf("dataset.json\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// Labels must be finite: the writer refuses NaN and ±Inf, and the export
// of a dataset that has them (written by another tool) names the record.
func TestNonFiniteLabels(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "ds"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Add(planar.NewImage(1, 4), []float32{0, 1})
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := w.Add(planar.NewImage(1, 4), []float32{1, float32(v)}); err == nil || !strings.Contains(err.Error(), "image 1") {
			t.Errorf("label %v: %v", v, err)
		}
	}

	dir := filepath.Join(t.TempDir(), "ds")
	writeDataset(t, dir, 3, 1, 4, 2, Options{})
	var buf bytes.Buffer
	npy.WriteHeader(&buf, 3, 2)
	for _, v := range []float32{0, 1, 1, 0, float32(math.NaN()), 0} {
		buf.Write([]byte{byte(math.Float32bits(v)), byte(math.Float32bits(v) >> 8), byte(math.Float32bits(v) >> 16), byte(math.Float32bits(v) >> 24)})
	}
	os.WriteFile(filepath.Join(dir, labelsFile("ds")), buf.Bytes(), 0o644)
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = ExportZip(t.Context(), d, 4, io.Discard, ZipOptions{})
	if err == nil || !strings.Contains(err.Error(), "record 2") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("export of a NaN label: %v", err)
	}
}

// The writer refuses images beyond MaxResolution instead of filling
// memory with their tiers.
func TestAddRefusesHugeImages(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "ds"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	big := &planar.Image{Channels: 1, Size: 2 * MaxResolution, Pix: make([]byte, 4*MaxResolution*MaxResolution)}
	if err := w.Add(big, nil); err == nil || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("a %d² image: %v", big.Size, err)
	}
}

// Every finite float32 is written as a JSON float that Python reads as a
// float and that the loader's float32 cast turns back into the same value
// (sign of zero included).
func TestFloatRowRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 16777216, 1e-45, math.MaxFloat32, -math.SmallestNonzeroFloat32}
	for range 200000 {
		if v := math.Float32frombits(rng.Uint32()); !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
			vals = append(vals, v)
		}
	}
	for _, v := range vals {
		b, err := floatRow{v}.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Trim(string(b), "[]")
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !strings.ContainsAny(s, ".e") || float32(f) != v || math.Signbit(f) != math.Signbit(float64(v)) {
			t.Fatalf("%v written as %s", v, s)
		}
	}
	if _, err := (floatRow{float32(math.Inf(1))}).MarshalJSON(); err == nil {
		t.Fatal("+Inf written")
	}
}
