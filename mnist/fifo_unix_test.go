//go:build unix

package mnist

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An input that is a named pipe, with or without .gz, is refused rather
// than waited on.
func TestFIFOInput(t *testing.T) {
	for _, name := range []string{Files[0], strings.TrimSuffix(Files[0], ".gz")} {
		dir := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Skipf("no FIFO: %v", err)
		}
		done := make(chan error, 1)
		go func() { _, err := ReadDir(dir); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), name+": not a regular file (a named pipe)") {
				t.Errorf("%s: error %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: blocked on a named pipe", name)
		}
	}
}
