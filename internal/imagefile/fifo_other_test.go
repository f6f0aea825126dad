//go:build !unix

package imagefile

import "testing"

func makeFIFO(t *testing.T, dir string) (string, bool) { return "", false }
