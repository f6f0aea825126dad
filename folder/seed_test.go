package folder

import (
	"strings"
	"testing"
)

// A shuffle seed numpy's RandomState cannot take is refused, not
// truncated to 32 bits.
func TestSeedRange(t *testing.T) {
	_, err := Open(t.TempDir(), Options{Shuffle: true, Seed: 1 << 32})
	if err == nil || !strings.Contains(err.Error(), "seed 4294967296") {
		t.Errorf("seed 2³²: %v", err)
	}
}
