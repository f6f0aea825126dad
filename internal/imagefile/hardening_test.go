package imagefile

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// decodeHeader is config and decode in one, for tests that look at what
// a decoder returns.
func decodeHeader(name string, data []byte) (image.Image, string, bool, error) {
	cfg, format, err := config(name, data)
	if err != nil {
		return nil, format, false, err
	}
	m, gray, err := decode(name, data, cfg, format)
	return m, format, gray, err
}

// bombPNG is a PNG of about 100 bytes whose header declares an
// 11584×11584 16-bit RGBA canvas: under the pixel cap, a gibibyte once
// decoded.
func bombPNG() []byte {
	return rawPNG(11584, 11584, 16, 6, nil, nil, [][]byte{{}})
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// An image that needs more than the decoding budget is refused from its
// header, by every entry point, with a message naming the file.
func TestDecodeBudgetRefusesBombs(t *testing.T) {
	bomb := bombPNG()
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.png")
	if err := os.WriteFile(path, bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		run  func() error
	}{
		{"Decode", func() error { _, err := Decode("bomb.png", bomb, Options{}); return err }},
		{"DecodeAny", func() error { _, err := DecodeAny("bomb.png", bomb); return err }},
		{"Load", func() error { _, err := Load(path, Options{Resolution: 8}); return err }},
		{"LoadAny", func() error { _, err := LoadAny(path); return err }},
		{"Read", func() error {
			_, err := Read("bomb.png", bytes.NewReader(bomb), int64(len(bomb)), Options{})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { err = tt.run() })
			if err == nil || !strings.Contains(err.Error(), "bomb.png: 11584x11584 png image needs 1535.7 MiB to decode, more than the 1024.0 MiB decoding budget") {
				t.Errorf("error %v, want the budget refusal naming the file", err)
			}
			if n > 16<<20 {
				t.Errorf("allocated %d bytes to refuse a %d-byte file", n, len(bomb))
			}
		})
	}
}

// The cost estimate: what each kind of file holds at its peak, per pixel.
func TestPeakBytesPerPixel(t *testing.T) {
	progressive := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc2, 0, 11}
	baseline := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 11}
	interlaced := rawPNG(4, 4, 8, 6, nil, nil, nil)
	interlaced[28] = 1
	for _, tt := range []struct {
		name   string
		model  color.Model
		format string
		hdr    []byte
		want   int64
	}{
		{"jpeg rgb", color.YCbCrModel, "jpeg", baseline, 7},
		{"jpeg rgb progressive", color.YCbCrModel, "jpeg", progressive, 12},
		{"jpeg gray", color.GrayModel, "jpeg", baseline, 5},
		{"png rgba16", color.NRGBA64Model, "png", nil, 12},
		{"png gray", color.GrayModel, "png", nil, 5},
		{"png gray tRNS", color.GrayModel, "png", []byte("....tRNS"), 8},
		{"png rgba interlaced", color.NRGBAModel, "png", interlaced, 8},
		{"gif", color.Palette{color.Black}, "gif", nil, 5},
		{"tiff rgba64", color.RGBA64Model, "tiff", nil, 16},
		{"unknown model", color.ModelFunc(func(c color.Color) color.Color { return c }), "bmp", nil, 12},
	} {
		if got := peakBytesPerPixel(image.Config{ColorModel: tt.model}, tt.format, tt.hdr); got != tt.want {
			t.Errorf("%s: %d bytes per pixel, want %d", tt.name, got, tt.want)
		}
	}
}

// The budget is shared: a decode waits while others hold it, and runs
// once they give it back.
func TestDecodeWaitsForBudget(t *testing.T) {
	data := encPNG(t, rgbImage(8, 8, colours))
	release := budget.acquire(budget.total)
	done := make(chan error, 1)
	go func() {
		_, err := Decode("small.png", data, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		release()
		t.Fatalf("decoded (%v) while the whole budget was held", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("decode still waiting after the budget was given back")
	}
}

// However many workers decode, the bytes reserved never exceed the budget,
// and waiters are served in arrival order.
func TestBudgetPool(t *testing.T) {
	p := newBudgetPool(100)
	var inUse, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(10 + i%7*15) // 10..100
			release := p.acquire(n)
			v := inUse.Add(n)
			for {
				old := peak.Load()
				if v <= old || peak.CompareAndSwap(old, v) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inUse.Add(-n)
			release()
			release() // a second call gives nothing back twice
		}()
	}
	wg.Wait()
	if peak.Load() > 100 || p.used != 0 || len(p.waiters) != 0 {
		t.Errorf("peak %d of 100 reserved; %d left in use, %d waiting", peak.Load(), p.used, len(p.waiters))
	}

	// A large request is not overtaken by small ones that come after it.
	p = newBudgetPool(100)
	r1 := p.acquire(60)
	big := make(chan func())
	go func() { big <- p.acquire(100) }()
	for {
		p.mu.Lock()
		n := len(p.waiters)
		p.mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	small := make(chan func(), 1)
	go func() { small <- p.acquire(10) }()
	time.Sleep(10 * time.Millisecond)
	select {
	case <-small:
		t.Fatal("a small request overtook a waiting large one")
	default:
	}
	r1()
	(<-big)()
	(<-small)()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Read checks the declared size and the image header before reading a
// member whole: a 2 GiB member, or a large one that is not an image,
// costs a header's worth of reading.
func TestReadChecksBeforeReading(t *testing.T) {
	png8 := encPNG(t, rgbImage(8, 8, colours))
	for _, tt := range []struct {
		name     string
		src      io.Reader
		size     int64
		want     string
		maxBytes int64 // read from src at most
	}{
		{"2 GiB member", zeros{}, 2 << 30, "big: 2147483648 bytes, more than the 1024.0 MiB decoding budget", 0},
		{"not an image", zeros{}, 512 << 20, "big: not a PNG, JPEG, GIF, BMP, TIFF or WebP file", 64 << 10},
		{"header then a gibibyte", io.MultiReader(bytes.NewReader(bombPNG()), zeros{}), 1 << 30, "decoding budget", 64 << 10},
		{"truncated", bytes.NewReader(png8), int64(len(png8)) + 10, "big: truncated: ", 1 << 20},
		{"longer than announced", bytes.NewReader(append(png8, 0)), int64(len(png8)), "big: more than the", 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &countingReader{r: tt.src}
			var err error
			n := allocated(func() { _, err = Read("big", c, tt.size, Options{}) })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if c.n > tt.maxBytes {
				t.Errorf("read %d bytes before refusing", c.n)
			}
			if n > 64<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
	m, err := Read("ok.png", bytes.NewReader(png8), int64(len(png8)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, m)
}

// Anything but a regular file is refused at once, never waited on.
func TestOpenRegularRefuses(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub.png")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{sub, "sub.png: not a regular file (a folder)"},
		{filepath.Join(dir, "missing.png"), "no such file"},
	}
	if fifo, ok := makeFIFO(t, dir); ok {
		cases = append(cases, struct{ path, want string }{fifo, "fifo.png: not a regular file (a named pipe)"})
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases, struct{ path, want string }{"/dev/zero", "/dev/zero: not a regular file (a character device)"})
	}
	for _, c := range cases {
		for name, load := range map[string]func(string) error{
			"Load":        func(p string) error { _, err := Load(p, Options{}); return err },
			"LoadAny":     func(p string) error { _, err := LoadAny(p); return err },
			"ReadRegular": func(p string) error { _, err := ReadRegular(p, 1<<20); return err },
		} {
			done := make(chan error, 1)
			go func() { done <- load(c.path) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s(%s): error %v, want %q", name, c.path, err, c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s(%s) blocked", name, c.path)
			}
		}
	}
}

func TestReadRegularLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegular(path, 99); err == nil || !strings.Contains(err.Error(), "f: 100 bytes, more than the 99 this input can be") {
		t.Errorf("error %v", err)
	}
	if b, err := ReadRegular(path, 100); err != nil || len(b) != 100 {
		t.Errorf("read %d bytes, %v", len(b), err)
	}
}

// Stream over a folder holding a bomb among good files: the bomb is a
// per-file error naming it, and the others decode.
func TestStreamBomb(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, data := range [][]byte{encPNG(t, rgbImage(8, 8, colours)), bombPNG(), encPNG(t, rgbImage(8, 8, colours))} {
		p := filepath.Join(dir, string(rune('a'+i))+".png")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var got []string
	for it, err := range Stream(context.Background(), paths, nil, Options{}, 4) {
		var ie *InputError
		switch {
		case err == nil:
			got = append(got, filepath.Base(it.Path))
		case errors.As(err, &ie) && strings.Contains(err.Error(), "b.png: 11584x11584 png image needs"):
			got = append(got, "refused "+filepath.Base(ie.Path))
		default:
			t.Fatal(err)
		}
	}
	if want := "a.png,refused b.png,c.png"; strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// FuzzRead feeds the streaming reader any file with any declared size:
// it must fail with an error naming the file or return a valid image,
// and never hold more than the budget.
func FuzzRead(f *testing.F) {
	defer func(n int64) { maxPixels = n }(maxPixels)
	maxPixels = 1 << 16
	defer func(p *budgetPool) { budget = p }(budget)
	budget = newBudgetPool(4 << 20)

	f.Add(encPNG(f, rgbImage(4, 4, colours)), int64(0))
	f.Add(encJPEG(f, rgbImage(16, 16, colours8)), int64(-3))
	f.Add(bombPNG(), int64(0))
	f.Add(encGIF(f, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})), int64(5))
	f.Add([]byte("not an image"), int64(1<<40))
	f.Fuzz(func(t *testing.T, data []byte, delta int64) {
		size := int64(len(data)) + delta%(1<<32)
		m, err := Read("fuzz", bytes.NewReader(data), size, Options{Resolution: 4})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "imagefile: fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if size != int64(len(data)) {
			t.Fatalf("decoded %d bytes announced as %d", len(data), size)
		}
		checkImage(t, m)
		if budget.used != 0 {
			t.Fatalf("%d bytes of the budget still held", budget.used)
		}
	})
}
