package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPartialHint: the library says a set is not whole; the command adds
// the flag that accepts a subset.
func TestPartialHint(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	code, _, stderr := progan(t, "mnist", "--quiet", "-o", out, filepath.Join("..", "..", "mnist", "testdata"))
	if code != 1 || !strings.Contains(stderr, "50 images, want 60000: not the whole dataset (--allow-partial accepts a subset)") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := progan(t, "mnist", "--quiet", "--allow-partial", "-o", out, filepath.Join("..", "..", "mnist", "testdata")); code != 0 {
		t.Errorf("--allow-partial: exit %d: %s", code, stderr)
	}
}
