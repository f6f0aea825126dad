package main

import "testing"

func TestParseMap(t *testing.T) {
	m, err := parseIntMap("4:128, 8:128,32:64,")
	if err != nil || len(m) != 3 || m[4] != 128 || m[32] != 64 {
		t.Errorf("parseIntMap = %v, %v", m, err)
	}
	if s := formatMap(m); s != "4:128,8:128,32:64" {
		t.Errorf("formatMap = %q", s)
	}
	f, err := parseFloatMap("1024:0.0015")
	if err != nil || f[1024] != 0.0015 {
		t.Errorf("parseFloatMap = %v, %v", f, err)
	}
	for _, bad := range []string{"4", "3:1", "x:1", "4:x"} {
		if _, err := parseIntMap(bad); err == nil {
			t.Errorf("parseIntMap(%q) accepted", bad)
		}
	}
}
