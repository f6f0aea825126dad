//go:build unix

package cifar

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Batch files and archives that are named pipes are refused, not waited
// on.
func TestFIFOInputs(t *testing.T) {
	for _, tt := range []struct {
		file string // made a FIFO in a fresh folder
		read func(string) (*Dataset, error)
		arg  bool // read the FIFO itself, not its folder
	}{
		{"data_batch_1", ReadCIFAR10, false},
		{"cifar-10-python.tar.gz", ReadCIFAR10, true},
		{"train_2.pkl", ReadSVHN, false},
		{"train_32x32.mat", ReadSVHN, true},
	} {
		dir := t.TempDir()
		p := filepath.Join(dir, tt.file)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("no FIFO: %v", err)
		}
		arg := dir
		if tt.arg {
			arg = p
		}
		done := make(chan error, 1)
		go func() { _, err := tt.read(arg); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tt.file+": not a regular file (a named pipe)") {
				t.Errorf("%s: error %v", tt.file, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: blocked on a named pipe", tt.file)
		}
	}
}
