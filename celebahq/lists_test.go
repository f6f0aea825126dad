package celebahq

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLandmarksFixture(t *testing.T) {
	lm, err := ReadLandmarks(filepath.Join(mini, "Anno", "list_landmarks_celeba.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lm.Rows) != 204 {
		t.Errorf("%d rows, want 204", len(lm.Rows))
	}
	for _, c := range cases(t) {
		got, err := lm.Lookup(c.OrigIdx, c.OrigFile)
		if err != nil {
			t.Fatal(err)
		}
		var want [5][2]int
		for i, v := range c.Landmarks {
			want[i/2][i%2] = v
		}
		if got.Points != want || got.Line != c.OrigIdx+3 {
			t.Errorf("%s: %v on line %d, want %v on line %d", c.OrigFile, got.Points, got.Line, want, c.OrigIdx+3)
		}
		f := got.Float32()
		if f[4][1] != float32(want[4][1]) {
			t.Errorf("%s: Float32 %v", c.OrigFile, f)
		}
	}
	// 000001.jpg is the first row.
	if r := lm.Rows[0]; r.File != "000001.jpg" || r.Points[0] != [2]int{72, 143} {
		t.Errorf("first row %+v", r)
	}
}

func TestLandmarksLookupErrors(t *testing.T) {
	lm, err := ReadLandmarks(filepath.Join(mini, "Anno", "list_landmarks_celeba.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origIdx int
		file    string
		want    string
	}{
		{204, "000205.jpg", "has no landmark line for 000205.jpg (orig_idx 204; the file lists 204 images, line 207"},
		{202598, "202599.jpg", "no landmark line for 202599.jpg"},
		{-1, "000000.jpg", "no landmark line"},
		{57, "000059.jpg", "list_landmarks_celeba.txt:60 lists 000058.jpg, but orig_idx 57 is 000059.jpg"},
	}
	for _, tt := range tests {
		_, err := lm.Lookup(tt.origIdx, tt.file)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Lookup(%d, %s): error %v, want one containing %q", tt.origIdx, tt.file, err, tt.want)
		}
	}
}

const header = "lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y\n"

func TestParseLandmarks(t *testing.T) {
	row1 := "000001.jpg    72   143   143   145   104   185    78   217   136   217\n"
	row2 := "000002.jpg   107   126   185   129   144   172   113   207   180   207\n"
	tests := []struct {
		name string
		text string
		want string // "" means success
		rows int
	}{
		{"two rows", "2\n" + header + row1 + row2, "", 2},
		{"CRLF and no final newline", "2\r\n" + strings.ReplaceAll(header+row1, "\n", "\r\n") + strings.TrimSuffix(row2, "\n"), "", 2},
		{"trailing blank lines", "2\n" + header + row1 + row2 + "\n\n", "", 2},
		{"empty list", "0\n" + header, "", 0},
		{"empty file", "", "empty file", 0},
		{"no header", "2\n", "no header", 0},
		{"bad count", "two\n" + header, "lm.txt:1: image count \"two\"", 0},
		{"count with more", "2 3\n" + header, "lm.txt:1: want the number of images", 0},
		{"wrong header", "1\nx y\n" + row1, "lm.txt:2: header", 0},
		{"truncated", "3\n" + header + row1 + row2, "announces 3 images but 2 follow", 0},
		{"too many", "1\n" + header + row1 + row2, "announces 1 images but 2 follow", 0},
		{"short row", "2\n" + header + row1 + "000002.jpg 1 2 3\n", "lm.txt:4: 4 fields", 0},
		{"not an integer", "1\n" + header + strings.Replace(row1, "185", "18.5", 1), "lm.txt:3: nose_y of 000001.jpg is \"18.5\"", 0},
		{"out of order", "2\n" + header + row2 + row1, "lm.txt:3: image \"000002.jpg\", want 000001.jpg", 0},
		{"blank line inside", "2\n" + header + row1 + "\n" + row2, "lm.txt:4: 0 fields", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lm, err := ParseLandmarks(strings.NewReader(tt.text), "lm.txt")
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(lm.Rows) != tt.rows {
					t.Fatalf("%d rows, want %d", len(lm.Rows), tt.rows)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestImageListFixture(t *testing.T) {
	l, err := ReadImageList(filepath.Join(mini, "deltas", "image_list.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cs := cases(t)
	if len(l.Rows) != len(cs) {
		t.Errorf("%d rows, want %d", len(l.Rows), len(cs))
	}
	for _, c := range cs {
		r, err := l.Row(c.Idx)
		if err != nil {
			t.Fatal(err)
		}
		want := ImageListRow{Idx: c.Idx, OrigIdx: c.OrigIdx, OrigFile: c.OrigFile, ProcMD5: c.ProcMD5, FinalMD5: c.FinalMD5, Line: r.Line}
		if r != want {
			t.Errorf("idx %d: %+v, want %+v", c.Idx, r, want)
		}
	}
	// A partial list: row number is not idx.
	if r, _ := l.Row(29999); r.Line != 6 {
		t.Errorf("idx 29999 on line %d, want 6", r.Line)
	}
	if _, err := l.Row(18); err == nil || !strings.Contains(err.Error(), "no row for idx 18 (it lists 5 images)") {
		t.Errorf("Row(18): error %v", err)
	}
}

func TestParseImageList(t *testing.T) {
	head := "idx     orig_idx   orig_file    proc_md5                           final_md5\n"
	row := func(idx, orig, file, p, f string) string {
		return strings.Join([]string{idx, orig, file, p, f}, "   ") + "\n"
	}
	md5a, md5b := "0be7e162e25c06f50dd5c1090007f2cf", "d76ed3e87c8bc20f82757a2dd95026ba"
	r0 := row("0", "119613", "119614.jpg", md5a, md5b)
	r1 := row("1", "99094", "099095.jpg", "1e2d301e9b3d1b64b2e560243b5c109c", "c391ae358c1a00e715982050b6446109")
	tests := []struct {
		name string
		text string
		want string
	}{
		{"real first rows", head + r0 + r1, ""},
		{"upper-case md5", head + row("0", "119613", "119614.jpg", strings.ToUpper(md5a), md5b), ""},
		{"header only", head, ""},
		{"empty", "", "empty file"},
		{"bad header", "idx orig_idx orig_file\n" + r0, "il.txt:1: header"},
		{"columns", head + "0 119613 119614.jpg " + md5a + "\n", "il.txt:2: 4 columns, want 5"},
		{"idx not int", head + row("x", "119613", "119614.jpg", md5a, md5b), "il.txt:2: idx \"x\""},
		{"idx too large", head + row("30000", "119613", "119614.jpg", md5a, md5b), "idx \"30000\" is not an integer in 0…29999"},
		{"orig_idx too large", head + row("0", "202599", "202600.jpg", md5a, md5b), "orig_idx \"202599\""},
		{"orig_file mismatch", head + row("0", "119613", "119613.jpg", md5a, md5b), "orig_file \"119613.jpg\" does not match orig_idx 119613 (want 119614.jpg)"},
		{"short md5", head + row("0", "119613", "119614.jpg", md5a[:31], md5b), "proc_md5 \"" + md5a[:31] + "\" is not 32 hex digits"},
		{"non-hex md5", head + row("0", "119613", "119614.jpg", md5a, "z"+md5b[1:]), "final_md5"},
		{"duplicate idx", head + r0 + r0, "il.txt:3: idx 0 already listed on line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseImageList(strings.NewReader(tt.text), "il.txt")
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range l.Rows {
					if r.ProcMD5 != strings.ToLower(r.ProcMD5) {
						t.Errorf("md5 not lower-cased: %s", r.ProcMD5)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadListErrors(t *testing.T) {
	if _, err := ReadLandmarks(filepath.Join(mini, "nope.txt")); err == nil || !strings.Contains(err.Error(), "landmarks") {
		t.Errorf("ReadLandmarks of a missing file: %v", err)
	}
	if _, err := ReadImageList(filepath.Join(mini, "nope.txt")); err == nil || !strings.Contains(err.Error(), "image list") {
		t.Errorf("ReadImageList of a missing file: %v", err)
	}
}

// The parsers must never panic, and what they accept must be consistent.
func FuzzParseLists(f *testing.F) {
	f.Add("2\n" + header + "000001.jpg 1 2 3 4 5 6 7 8 9 10\n000002.jpg 1 2 3 4 5 6 7 8 9 10\n")
	f.Add("idx orig_idx orig_file proc_md5 final_md5\n0 119613 119614.jpg 0be7e162e25c06f50dd5c1090007f2cf d76ed3e87c8bc20f82757a2dd95026ba\n")
	f.Add("1\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		if lm, err := ParseLandmarks(strings.NewReader(text), "f"); err == nil {
			for i, r := range lm.Rows {
				if got, err := lm.Lookup(i, r.File); err != nil || got != r {
					t.Fatalf("row %d: Lookup = %+v, %v", i, got, err)
				}
			}
		}
		if l, err := ParseImageList(strings.NewReader(text), "f"); err == nil {
			for _, r := range l.Rows {
				if got, err := l.Row(r.Idx); err != nil || got != r {
					t.Fatalf("idx %d: Row = %+v, %v", r.Idx, got, err)
				}
				if r.OrigFile != OrigFile(r.OrigIdx) || len(r.ProcMD5) != 32 || len(r.FinalMD5) != 32 {
					t.Fatalf("accepted row %+v", r)
				}
			}
		}
	})
}
