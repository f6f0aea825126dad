package imagefile

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"sync"
)

// DecodeBudget is the number of bytes that the decodes of all goroutines
// together may hold at once: the encoded file, the decoder's pixels and
// the converted copy. A small file can declare a canvas whose decoded form
// is a gibibyte (11584² 16-bit RGBA is under the pixel cap), so each decode
// reserves its share, computed from the header, before the decoder runs,
// and waits while the others hold the rest; an image that needs more than
// the whole budget is an error. 1 GiB admits one 8-bit image at the pixel
// cap, or a 16-bit RGBA one of 89 megapixels, and bounds the decoding
// memory of a run whatever --workers says.
const DecodeBudget = 1 << 30

// budget is the process-wide reservation of decoding memory; tests
// replace it with a smaller one.
var budget = newBudgetPool(DecodeBudget)

// budgetPool is a counting semaphore of bytes that serves its waiters in
// arrival order, so that a large image is not starved by a stream of small
// ones.
type budgetPool struct {
	mu      sync.Mutex
	total   int64
	used    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{}
}

func newBudgetPool(total int64) *budgetPool { return &budgetPool{total: total} }

// acquire reserves n bytes (0 < n ≤ total), waiting for them, and returns
// the function that gives them back.
func (p *budgetPool) acquire(n int64) func() {
	p.mu.Lock()
	if len(p.waiters) == 0 && p.used+n <= p.total {
		p.used += n
		p.mu.Unlock()
		return p.releaser(n)
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()
	<-w.ready
	return p.releaser(n)
}

func (p *budgetPool) releaser(n int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.used -= n
			for len(p.waiters) > 0 && p.used+p.waiters[0].n <= p.total {
				w := p.waiters[0]
				p.waiters = p.waiters[1:]
				p.used += w.n
				close(w.ready)
			}
		})
	}
}

// Reserve takes n bytes of the shared decoding budget for a decoder
// outside this package (the CelebA-HQ builder's JPEG decoder), waiting
// while other decodes hold them, and returns the function that gives them
// back. Needing more than the whole budget is an error naming name.
func Reserve(name string, n int64) (release func(), err error) {
	if n > budget.total {
		return nil, fmt.Errorf("%s: decoding needs %s, more than the %s decoding budget", name, mib(n), mib(budget.total))
	}
	return budget.acquire(max(n, 1)), nil
}

// mib formats a byte count in MiB for messages.
func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// decodeCost estimates the bytes a decode holds at its peak: the encoded
// file (size bytes; 0 when the caller holds it anyway) and the most that
// the decoder's buffers and the 8-bit copy that convert makes hold at one
// time. hdr holds the file's first bytes, through its header.
func decodeCost(cfg image.Config, format string, hdr []byte, size int64) int64 {
	return size + int64(cfg.Width)*int64(cfg.Height)*peakBytesPerPixel(cfg, format, hdr)
}

// peakBytesPerPixel is the most a decode holds per pixel: while the
// decoder runs, its result and the buffers of the same size that some
// decoders keep beside it; then the result and convert's copy (4 bytes a
// pixel at most; the copy is skipped where the result already is 8-bit
// gray or opaque RGBA, which this does not count on).
func peakBytesPerPixel(cfg image.Config, format string, hdr []byte) int64 {
	if format == "jpeg" {
		comps := int64(3)
		switch cfg.ColorModel {
		case color.GrayModel:
			comps = 1
		case color.CMYKModel:
			comps = 4
		}
		// internal/jpeg's libjpeg-turbo path returns interleaved samples and
		// keeps whole component planes for its upsampling; progressive
		// files add 16-bit coefficients for every sample (so do the rare
		// non-interleaved baseline ones, which the header does not tell).
		work := 2 * comps
		if jpegProgressive(hdr) {
			work += 2 * comps
		}
		return max(work, comps+4)
	}
	n := modelBytesPerPixel(cfg.ColorModel)
	work := n
	switch format {
	case "png":
		// A transparent colour turns gray into NRGBA (NRGBA64), which
		// the header's model does not say; interlaced files are decoded
		// pass by pass into images as large as the result.
		chunks := hdr // those before the image data
		if i := bytes.Index(hdr, []byte("IDAT")); i >= 0 {
			chunks = hdr[:i]
		}
		if bytes.Contains(chunks, []byte("tRNS")) {
			switch cfg.ColorModel {
			case color.GrayModel:
				n = 4
			case color.Gray16Model:
				n = 8
			}
		}
		work = n
		if len(hdr) > 28 && hdr[28] == 1 {
			work = 2 * n
		}
	case "tiff", "webp":
		// TIFF inflates a compressed strip or tile whole before
		// unpacking it (a single-strip image is held twice); lossless
		// WebP transforms a full ARGB copy.
		work = 2 * n
	}
	return max(work, n+4)
}

// modelBytesPerPixel is the size of a pixel of the image type a decoder
// returns for colour model m; unknown models get the largest.
func modelBytesPerPixel(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at most
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	return 8
}

// jpegProgressive reports whether the JPEG whose first bytes are hdr has
// a progressive frame header (SOF2, 6, 10 or 14) before its first scan.
func jpegProgressive(hdr []byte) bool {
	for i := 2; i+4 <= len(hdr); {
		if hdr[i] != 0xff {
			return false
		}
		m := hdr[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0xda: // start of scan: no frame header before it
			return false
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce
		}
		i += 2 + (int(hdr[i+2])<<8 | int(hdr[i+3]))
	}
	return false
}
