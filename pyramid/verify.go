package pyramid

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid/internal/tfrecord"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Deep also checks that every lower tier equals the exporter's cascade
	// of the full-resolution tier.
	Deep bool
	// Progress, if set, is called with the number of records just checked
	// (from several goroutines).
	Progress func(records int)
}

// Report is the outcome of Verify: the dataset is sound when Problems is
// empty.
type Report struct {
	Dir      string   `json:"dir"`
	Images   int      `json:"images"`
	Records  int      `json:"records"` // records checked, all tiers
	Deep     bool     `json:"deep"`
	Problems []string `json:"problems"`
	mu       sync.Mutex
}

const maxProblems = 50

func (r *Report) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.Problems) == maxProblems {
		r.Problems = append(r.Problems, "(further problems not listed)")
	}
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks the dataset: every frame's CRCs, every record's shape,
// equal record counts in every tier and the labels file, and, when the
// dataset has a manifest, every file's size and SHA-256 and the index.
// Problems are listed in the report; the dataset's files stay open.
func (d *Dataset) Verify(opt VerifyOptions) *Report {
	rep := &Report{Dir: d.Dir, Images: d.Images, Deep: opt.Deep, Problems: []string{}}
	progress := opt.Progress
	if progress == nil {
		progress = func(int) {}
	}

	entries := map[string]FileEntry{}
	if d.Manifest != nil {
		for _, e := range d.Manifest.Files {
			entries[e.Name] = e
		}
	}
	var chans []chan *planar.Image
	if opt.Deep {
		for range d.Tiers {
			chans = append(chans, make(chan *planar.Image, 4))
		}
	}
	counts := make([]int, len(d.Tiers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for ti, t := range d.Tiers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !opt.Deep {
				sem <- struct{}{}
				defer func() { <-sem }()
			} else {
				defer close(chans[ti])
			}
			var out chan<- *planar.Image
			if opt.Deep {
				out = chans[ti]
			}
			counts[ti] = verifyTier(d, t, entries, out, rep, progress)
		}()
	}
	if opt.Deep {
		deepCheck(d, chans, rep)
	}
	wg.Wait()
	for ti, t := range d.Tiers {
		rep.Records += counts[ti]
		if counts[ti] != d.Images {
			rep.add("%s: %d records, the %d×%d tier has %d", filepath.Base(t.Path), counts[ti], d.Resolution, d.Resolution, d.Images)
		}
	}
	verifyLabels(d, entries, rep)
	if d.Manifest != nil {
		verifyManifest(d, entries, rep)
	}
	return rep
}

// verifyTier reads one tier through, hashing the file's bytes on the way.
func verifyTier(d *Dataset, t *Tier, entries map[string]FileEntry, out chan<- *planar.Image, rep *Report, progress func(int)) int {
	name := filepath.Base(t.Path)
	h := sha256.New()
	raw := io.TeeReader(io.NewSectionReader(t.f, 0, t.Bytes), h)
	rc, err := decompress(raw, t.Compression, t.Path)
	if err != nil {
		rep.add("%s: %v", name, err)
		return 0
	}
	defer rc.Close()
	r := tfrecord.NewReader(rc, 0)
	n, pending := 0, 0
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, tfrecord.ErrCorruptPayload) {
			// The frame's length was sound: count it and read on, so one
			// bad record does not hide the rest of the tier.
			rep.add("%s: record %d: %v", name, n, err)
			if out != nil {
				out <- nil
			}
			n++
			continue
		}
		if err != nil {
			rep.add("%s: record %d: %v", name, n, err)
			break
		}
		img, err := decodeRecord(p)
		if err != nil {
			rep.add("%s: record %d: %v", name, n, err)
			break
		}
		if img.Size != t.Resolution || img.Channels != d.Channels {
			rep.add("%s: record %d is %d×%d×%d, the tier holds %d×%d×%d", name, n, img.Channels, img.Size, img.Size, d.Channels, t.Resolution, t.Resolution)
			break
		}
		if out != nil {
			out <- img
		}
		n++
		if pending++; pending == 64 {
			progress(pending)
			pending = 0
		}
	}
	progress(pending)
	io.Copy(io.Discard, raw) // hash the rest (trailing bytes after an error)
	if e, ok := entries[name]; ok {
		checkEntry(name, e, t.Bytes, h.Sum(nil), rep)
		if e.Records != 0 && e.Records != n {
			rep.add("%s: manifest says %d records, file holds %d", name, e.Records, n)
		}
	} else if d.Manifest != nil {
		rep.add("%s: not listed in the manifest", name)
	}
	return n
}

func checkEntry(name string, e FileEntry, size int64, sum []byte, rep *Report) {
	if e.Bytes != size {
		rep.add("%s: %d bytes, manifest says %d", name, size, e.Bytes)
	}
	if got := hex.EncodeToString(sum); got != e.SHA256 {
		rep.add("%s: SHA-256 %s, manifest says %s", name, got, e.SHA256)
	}
}

// deepCheck compares every lower tier with the cascade of the top tier.
func deepCheck(d *Dataset, chans []chan *planar.Image, rep *Report) {
	type set struct {
		i    int
		imgs []*planar.Image
	}
	work := make(chan set, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cs cascader
			var buf []byte
			for s := range work {
				k := 1
				buf = cs.tiers(s.imgs[0], buf, func(lod int, pix []byte) {
					if k < len(s.imgs) && s.imgs[k] != nil && !bytes.Equal(s.imgs[k].Pix, pix) {
						rep.add("%s: record %d differs from the cascade of the %d×%d record", filepath.Base(d.Tiers[k].Path), s.i, d.Resolution, d.Resolution)
					}
					k++
				})
			}
		}()
	}
	for i := 0; ; i++ {
		imgs := make([]*planar.Image, len(chans))
		open := 0
		for t, ch := range chans {
			if img, ok := <-ch; ok {
				imgs[t] = img
				open++
			}
		}
		if open == 0 {
			break
		}
		if imgs[0] != nil {
			work <- set{i, imgs}
		}
	}
	close(work)
	wg.Wait()
}

func verifyLabels(d *Dataset, entries map[string]FileEntry, rep *Report) {
	if d.LabelFile == "" {
		return
	}
	name := filepath.Base(d.LabelFile)
	m, err := d.Labels()
	if err != nil {
		rep.add("%s: %v", name, err)
	} else if m.Rows != d.Images {
		rep.add("%s: %d label rows for %d images", name, m.Rows, d.Images)
	}
	if d.Manifest != nil {
		if d.Manifest.LabelSize != d.LabelSize {
			rep.add("%s: %d columns, manifest says %d", name, d.LabelSize, d.Manifest.LabelSize)
		}
		verifyFile(d, name, entries, rep)
	}
}

func verifyFile(d *Dataset, name string, entries map[string]FileEntry, rep *Report) {
	e, ok := entries[name]
	if !ok {
		rep.add("%s: not listed in the manifest", name)
		return
	}
	f, _, err := imagefile.OpenRegular(filepath.Join(d.Dir, name))
	if err != nil {
		rep.add("%s: %v", name, err)
		return
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		rep.add("%s: %v", name, err)
		return
	}
	checkEntry(name, e, n, h.Sum(nil), rep)
}

func verifyManifest(d *Dataset, entries map[string]FileEntry, rep *Report) {
	m := d.Manifest
	for _, e := range m.Files {
		if _, err := os.Stat(filepath.Join(d.Dir, e.Name)); err != nil {
			rep.add("%s: listed in the manifest but missing", e.Name)
		}
	}
	if m.LabelSize > 0 && d.LabelFile == "" {
		rep.add("manifest says labels of size %d, but there is no .labels file", m.LabelSize)
	}
	if m.Compression == None.String() {
		if _, ok := entries[IndexFile]; ok {
			verifyFile(d, IndexFile, entries, rep)
			b, err := imagefile.ReadRegular(filepath.Join(d.Dir, IndexFile), maxMetaBytes)
			if err == nil {
				idx, err := readIndex(b)
				if _, ok := d.matchIndex(idx); err != nil || !ok {
					rep.add("%s: does not match the record files", IndexFile)
				}
			}
		} else {
			rep.add("%s: missing from the manifest of an uncompressed dataset", IndexFile)
		}
	}
}
