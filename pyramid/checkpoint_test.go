package pyramid

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/progan/progan/planar"
)

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	for _, name := range []string{"r05.tfrecords", "r04.tfrecords", "r03.tfrecords", "r02.tfrecords", "rxx.labels"} {
		x, err1 := os.ReadFile(filepath.Join(a, filepath.Base(a)+"-"+name))
		y, err2 := os.ReadFile(filepath.Join(b, filepath.Base(b)+"-"+name))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Fatalf("%s differs between %s and %s (%v, %v)", name, a, b, err1, err2)
		}
	}
}

func TestResumeAfterCrash(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var imgs []*planar.Image
	var labels [][]float32
	for i := range 10 {
		imgs = append(imgs, randomImage(rng, 3, 32))
		labels = append(labels, []float32{float32(i), -1})
	}
	root := t.TempDir()
	straight := filepath.Join(root, "ds")
	w, _ := Create(straight, Options{})
	for i := range imgs {
		w.Add(imgs[i], labels[i])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "ds")
	opt := Options{Fingerprint: "inputs-v1", CheckpointEvery: 3}
	w, _ = Create(dir, opt)
	for i := range 7 {
		w.Add(imgs[i], labels[i])
	}
	kill(w) // 7 images on disk, the last checkpoint after 6

	if _, _, err := Resume(dir, Options{Fingerprint: "other"}); err == nil {
		t.Fatal("resumed with another fingerprint")
	}
	w, done, err := Resume(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if done != 6 {
		t.Fatalf("resume after %d inputs, want 6", done)
	}
	for i := done; i < len(imgs); i++ {
		if err := w.Add(imgs[i], labels[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, straight, dir)
	if rep, err := verifyDir(dir, VerifyOptions{Deep: true}); err != nil || !rep.OK() {
		t.Fatalf("resumed dataset: %v %v", err, rep.Problems)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("checkpoint left in the finished dataset")
	}
}

func TestStopThenResume(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var imgs []*planar.Image
	for range 6 {
		imgs = append(imgs, randomImage(rng, 1, 32))
	}
	straight := filepath.Join(t.TempDir(), "ds")
	w, _ := Create(straight, Options{})
	w.Skip("bad.png", errors.New("broken"))
	for _, img := range imgs {
		w.Add(img, nil)
	}
	w.Close()

	dir := filepath.Join(t.TempDir(), "ds")
	w, _ = Create(dir, Options{Fingerprint: "f"})
	w.Skip("bad.png", errors.New("broken"))
	w.Add(imgs[0], nil)
	w.Add(imgs[1], nil)
	kept, err := w.Stop()
	if err != nil || !kept {
		t.Fatalf("Stop: kept %v, %v", kept, err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("a stopped dataset opened: %v", err)
	}
	w, done, err := Resume(dir, Options{Fingerprint: "f"})
	if err != nil || done != 3 {
		t.Fatalf("Resume: %d, %v", done, err)
	}
	for _, img := range imgs[done-1:] { // done counts the skipped input
		w.Add(img, nil)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ds-r05.tfrecords", "ds-r02.tfrecords"} {
		x, _ := os.ReadFile(filepath.Join(straight, name))
		y, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs after stop and resume", name)
		}
	}
	d, _ := Open(dir)
	defer d.Close()
	if len(d.Manifest.Skipped) != 1 || d.Manifest.Skipped[0].Input != "bad.png" {
		t.Fatalf("skipped list %v", d.Manifest.Skipped)
	}
	if _, _, err := Resume(filepath.Join(t.TempDir(), "none"), Options{}); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("resume without a partial run: %v", err)
	}
}

func TestCompressedStopDoesNotKeep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "z")
	w, _ := Create(dir, Options{Compression: Gzip})
	w.Add(planar.NewImage(1, 8), nil)
	if kept, _ := w.Stop(); kept {
		t.Fatal("a compressed partial dataset was kept for resume")
	}
	if _, err := os.Stat(PartialDir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("partial folder left")
	}
}
