//go:build unix

package trainer

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileModes trains under umask 022: every file of the run, the
// atomically written checkpoints and grids included, must be 0644.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ds := testDataset(t, 24, 16, 0)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(ds, dir)
	cfg.Resolution, cfg.TotalKimg, cfg.SWDImages = 16, 0.064, 16
	if err := Train(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{SnapshotFile(0), FinalFile, FakesFile(0), RealsFile, SWDPlot, ConfigFile, StatsFile} {
		fi, err := os.Stat(filepath.Join(dir, want))
		if err != nil {
			t.Errorf("%s: %v", want, err)
		} else if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", want, fi.Mode().Perm())
		}
	}
	if len(entries) < 7 {
		t.Errorf("%d files in the run folder", len(entries))
	}
}
