package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/progan/progan/cmd/progan/internal/progress"
)

// scoreBuffer is a bytes.Buffer safe for the progress goroutine and the
// command writing at once.
type scoreBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *scoreBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *scoreBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// progress1ms runs the command line with progress lines every millisecond on
// a stderr that is not a terminal, as in a log.
func progress1ms(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	defer func(d time.Duration) { progress.PlainInterval = d }(progress.PlainInterval)
	progress.PlainInterval = time.Millisecond
	var out, errb scoreBuffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

var progressLine = regexp.MustCompile(`^(ms-ssim|swd): (\d+)/(\d+) images \(([0-9.]+)%\)`)

// The scores' progress counts images once each: the plain lines never pass
// 100 %, and the last one (Finish prints it) is the total. Before, msssim
// counted its running total as a delta: 36/8 = 450 % on 8 images.
func TestScoreProgressLines(t *testing.T) {
	in := folder(t, 8, 64)
	for _, tt := range []struct {
		args  []string
		total int
	}{
		{[]string{"msssim", "--num", "8", in}, 8},
		{[]string{"swd", "--num", "4", "--noise-floor", in, in}, 12},
	} {
		code, _, stderr := progress1ms(t, tt.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.args[0], code, stderr)
		}
		var last []string
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			m := progressLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			done, _ := strconv.Atoi(m[2])
			total, _ := strconv.Atoi(m[3])
			pct, _ := strconv.ParseFloat(m[4], 64)
			if total != tt.total || done > total || pct > 100 {
				t.Errorf("%s: progress line %q", tt.args[0], l)
			}
			last = m
		}
		if last == nil || last[2] != strconv.Itoa(tt.total) {
			t.Errorf("%s: last progress line %v, want %d/%d; stderr:\n%s", tt.args[0], last, tt.total, tt.total, stderr)
		}
	}
}

// Too few images is a warning that names the command, as swd's do.
func TestMSSSIMFewImagesWarning(t *testing.T) {
	in := folder(t, 4, 16)
	code, _, stderr := progan(t, "msssim", "--quiet", in)
	want := "progan msssim: warning: " + in + " has 4 images, fewer than --num 20000: using all 4\n"
	if code != 0 || stderr != want {
		t.Errorf("exit %d, stderr %q; want %q", code, stderr, want)
	}
}

// bombPNGBytes is the imageset package's fixture: a PNG of 65 bytes whose
// header declares an 11584×11584 16-bit RGBA canvas (a gibibyte decoded).
func bombPNGBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("internal", "imageset", "testdata", "bomb.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A decompression bomb among the images of a folder or a zip is an error
// naming it, from its header, for msssim and swd alike.
func TestScoresRefuseBombs(t *testing.T) {
	dir := folder(t, 4, 16)
	if err := os.WriteFile(filepath.Join(dir, "b-bomb.png"), bombPNGBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "imgs.zip")
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, name := range []string{"a.png", "b-bomb.png", "c.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(zipPath, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	const budget = "11584x11584 png image needs 1535.7 MiB to decode, more than the 1024.0 MiB decoding budget"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"msssim", "--quiet", dir}, "progan msssim: msssim: image 1: imagefile: " + filepath.Join(dir, "b-bomb.png") + ": " + budget},
		{[]string{"msssim", "--quiet", zipPath}, "progan msssim: msssim: image 1: imagefile: " + zipPath + ":b-bomb.png: " + budget},
		{[]string{"swd", "--quiet", "--num", "3", zipPath, dir}, "progan swd: reals: image 1: imagefile: " + zipPath + ":b-bomb.png: " + budget},
	} {
		code, _, stderr := progan(t, tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, code, stderr, tt.want)
		}
	}
}
