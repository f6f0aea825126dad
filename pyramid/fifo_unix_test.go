//go:build unix

package pyramid

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTierFIFO replaces a dataset's files with named pipes in turn: Open
// and Verify refuse them at once instead of blocking in open(2).
func TestTierFIFO(t *testing.T) {
	for _, victim := range []string{"tier", ManifestFile} {
		dir := filepath.Join(t.TempDir(), "ds")
		writeDataset(t, dir, 4, 3, 8, 0, Options{})
		name := ManifestFile
		if victim == "tier" {
			name = tierFile(filepath.Base(dir), 8)
		}
		path := filepath.Join(dir, name)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skipf("no FIFO: %v", err)
		}
		done := make(chan error, 1)
		go func() {
			d, err := Open(dir)
			if err == nil {
				d.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
				t.Errorf("%s as a FIFO: %v", victim, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Open blocked on a FIFO as the %s", victim)
		}
	}
}
