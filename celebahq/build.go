package celebahq

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/jpeg"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/internal/pillow"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid"
)

// Options configure a build.
type Options struct {
	CelebADir string // holds img_celeba/*.jpg and Anno/list_landmarks_celeba.txt
	DeltasDir string // holds image_list.txt and deltasNNNNN.zip; "" with NoDeltas and no list
	ImageList string // image_list.txt elsewhere; default DeltasDir/image_list.txt
	NoDeltas  bool   // write the processed images (proc) without the deltas
	Only      []int  // restrict to these idx (or, without an image list, these orig_idx)
	Workers   int    // images in flight; 0: GOMAXPROCS
}

// Job is a prepared build: the images to make, in output order.
type Job struct {
	opt       Options
	landmarks *Landmarks
	rows      []ImageListRow // output order; Idx -1 without an image list
	deltas    *Deltas
	// Notes are facts about the inputs worth telling the user (a partial
	// set, a check that could not run).
	Notes []string
	// Sources are the list files that decide what is built: the landmarks
	// and, when there is one, the image list.
	Sources []string
}

// Len returns the number of images the job makes.
func (j *Job) Len() int { return len(j.rows) }

// NewJob reads the landmarks and the image list, checks the inputs as the
// original does (turning the count checks of a partial set into a note)
// and fixes the output order: the original's RandomState(123) shuffle of
// the 30 000 idx, restricted to the idx present. Without an image list
// (NoDeltas), every image of img_celeba with a landmark line is made, in
// file order.
func NewJob(opt Options) (*Job, error) {
	j := &Job{opt: opt}
	var err error
	lmPath := filepath.Join(opt.CelebADir, "Anno", "list_landmarks_celeba.txt")
	if j.landmarks, err = ReadLandmarks(lmPath); err != nil {
		return nil, err
	}
	j.Sources = []string{lmPath}
	if opt.ImageList == "" && opt.DeltasDir != "" {
		opt.ImageList = filepath.Join(opt.DeltasDir, "image_list.txt")
		j.opt.ImageList = opt.ImageList
	}
	if !opt.NoDeltas && opt.DeltasDir == "" {
		return nil, errors.New("celebahq: no deltas folder (use NoDeltas to write the processed images only)")
	}
	only := map[int]bool{}
	for _, i := range opt.Only {
		only[i] = true
	}
	jpegs, err := os.ReadDir(filepath.Join(opt.CelebADir, "img_celeba"))
	if err != nil {
		return nil, fmt.Errorf("celebahq: %w", err)
	}
	if n := len(jpegs); n != CelebAImages {
		j.Notes = append(j.Notes, fmt.Sprintf("img_celeba holds %d files, not the %d of CelebA: building from what is there", n, CelebAImages))
	}
	if opt.ImageList == "" {
		for _, e := range jpegs {
			name := e.Name()
			var n int
			if _, err := fmt.Sscanf(name, "%06d.jpg", &n); err != nil || OrigFile(n-1) != name || n < 1 || n > len(j.landmarks.Rows) {
				continue
			}
			if len(only) > 0 && !only[n-1] {
				continue
			}
			j.rows = append(j.rows, ImageListRow{Idx: -1, OrigIdx: n - 1, OrigFile: name})
		}
		if len(j.rows) == 0 {
			return nil, fmt.Errorf("celebahq: no image of %s has a landmark line", filepath.Join(opt.CelebADir, "img_celeba"))
		}
		return j, nil
	}
	list, err := ReadImageList(opt.ImageList)
	if err != nil {
		return nil, err
	}
	j.Sources = append(j.Sources, opt.ImageList)
	if len(list.Rows) != Images {
		j.Notes = append(j.Notes, fmt.Sprintf("%s names %d of the %d CelebA-HQ images: building a partial set in the full set's order", opt.ImageList, len(list.Rows), Images))
	}
	have := map[int]ImageListRow{}
	for _, r := range list.Rows {
		if len(only) == 0 || only[r.Idx] {
			have[r.Idx] = r
		}
	}
	for i := range only {
		if _, ok := have[i]; !ok {
			return nil, fmt.Errorf("celebahq: idx %d is not in %s", i, opt.ImageList)
		}
	}
	for _, idx := range pyramid.ShuffleOrder(Images, 123) {
		if r, ok := have[idx]; ok {
			if _, err := j.landmarks.Lookup(r.OrigIdx, r.OrigFile); err != nil {
				return nil, err
			}
			j.rows = append(j.rows, r)
		}
	}
	if len(j.rows) == 0 {
		return nil, errors.New("celebahq: no image to build")
	}
	if !opt.NoDeltas {
		if j.deltas, err = OpenDeltas(opt.DeltasDir); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// Close releases the delta archives.
func (j *Job) Close() error {
	if j.deltas != nil {
		return j.deltas.Close()
	}
	return nil
}

// CheckDecoder runs the original's gate: the decoded RGB of the real
// CelebA 000001.jpg must have the md5 the original asserts. It reports
// false when the file is not there.
func (j *Job) CheckDecoder() (bool, error) {
	data, err := imagefile.ReadRegular(filepath.Join(j.opt.CelebADir, "img_celeba", "000001.jpg"), maxJPEG)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("celebahq: %w", err)
	}
	return true, jpeg.CheckCelebA000001(data)
}

// ImageError reports an image that could not be made or failed a check.
type ImageError struct {
	Idx       int    // -1 without an image list
	File      string // the CelebA file
	Stage     string // "read", "decode", "landmarks", "plan", "process", "proc_md5", "delta", "final_md5"
	Got, Want string // the md5s, for the checks
	Err       error
}

func (e *ImageError) Error() string {
	who := e.File
	if e.Idx >= 0 {
		who = fmt.Sprintf("idx %d (%s)", e.Idx, e.File)
	}
	if e.Got != "" {
		return fmt.Sprintf("celebahq: %s: %s mismatch: got %s, want %s", who, e.Stage, e.Got, e.Want)
	}
	return fmt.Sprintf("celebahq: %s: %s: %v", who, e.Stage, e.Err)
}

func (e *ImageError) Unwrap() error { return e.Err }

// Item is one output image, or the error that stopped it.
type Item struct {
	Row   ImageListRow
	Image *planar.Image // 3×1024×1024
	Err   *ImageError
}

// Images makes the images from output position skip on, on opt.Workers
// goroutines, and yields them in order. Per-image failures come as
// Item.Err; the error is for the run (ctx, a broken archive).
func (j *Job) Images(ctx context.Context, skip int) iter.Seq2[Item, error] {
	return parallel.Map(ctx, slices.Values(j.rows[skip:]), j.opt.Workers, func(r ImageListRow) (Item, error) {
		m, ierr := j.make(r)
		return Item{Row: r, Image: m, Err: ierr}, nil
	})
}

// maxJPEG bounds a CelebA file read whole; the largest of img_celeba has
// a few megabytes.
const maxJPEG = 64 << 20

// decodeBytesPerPixel is what internal/jpeg holds per pixel at its peak:
// the RGB samples, and the 16-bit coefficients of a progressive file (or
// the RGB copy of a gray one).
const decodeBytesPerPixel = 3 + 6

// make runs the whole pipeline for one row.
func (j *Job) make(r ImageListRow) (*planar.Image, *ImageError) {
	fail := func(stage string, err error) *ImageError {
		return &ImageError{Idx: r.Idx, File: r.OrigFile, Stage: stage, Err: err}
	}
	jpg, err := imagefile.ReadRegular(filepath.Join(j.opt.CelebADir, "img_celeba", r.OrigFile), maxJPEG)
	if err != nil {
		return nil, fail("read", err)
	}
	lm, err := j.landmarks.Lookup(r.OrigIdx, r.OrigFile)
	if err != nil {
		return nil, fail("landmarks", err)
	}
	// The plan needs only the size: an implausible one is refused before
	// the image is decoded, and the decode's memory is reserved from the
	// budget all decoders share.
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil {
		return nil, fail("decode", err)
	}
	plan, err := NewPlan(lm.Float32(), cfg.Width, cfg.Height)
	if err != nil {
		return nil, fail("plan", err)
	}
	release, err := imagefile.Reserve(fmt.Sprintf("%dx%d JPEG", cfg.Width, cfg.Height), decodeBytesPerPixel*int64(cfg.Width)*int64(cfg.Height))
	if err != nil {
		return nil, fail("decode", err)
	}
	defer release()
	pix, w, h, c, err := jpeg.DecodeRGB(jpg)
	if err != nil {
		return nil, fail("decode", err)
	}
	if w != cfg.Width || h != cfg.Height {
		return nil, fail("decode", fmt.Errorf("decoded %dx%d from a %dx%d header", w, h, cfg.Width, cfg.Height))
	}
	img := &pillow.Image{Width: w, Height: h, Channels: c, Pix: pix}
	if c == 1 {
		img = pillow.FromImage(img.ToImage()) // PIL's convert('RGB')
	}
	proc, err := process(img, plan, nil)
	if err != nil {
		return nil, fail("process", err)
	}
	if r.ProcMD5 != "" {
		if got := md5hex(proc); got != r.ProcMD5 {
			return nil, &ImageError{Idx: r.Idx, File: r.OrigFile, Stage: "proc_md5", Got: got, Want: r.ProcMD5}
		}
	}
	if !j.opt.NoDeltas {
		token, err := j.deltas.Read(r.Idx)
		if err != nil {
			return nil, fail("delta", err)
		}
		delta, err := Delta(jpg, r.OrigFile, token)
		if err != nil {
			return nil, fail("delta", err)
		}
		if err := ApplyDelta(proc, delta); err != nil {
			return nil, fail("delta", err)
		}
		if got := md5hex(proc); got != r.FinalMD5 {
			return nil, &ImageError{Idx: r.Idx, File: r.OrigFile, Stage: "final_md5", Got: got, Want: r.FinalMD5}
		}
	}
	return &planar.Image{Channels: 3, Size: Size, Pix: proc}, nil
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// ParseOnly parses a list of idx such as "17,1234,7000-7999".
func ParseOnly(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var a, b int
		if n, err := fmt.Sscanf(f, "%d-%d", &a, &b); err == nil && n == 2 && strings.Count(f, "-") == 1 {
			if a > b || a < 0 {
				return nil, fmt.Errorf("celebahq: range %q", f)
			}
			for i := a; i <= b; i++ {
				out = append(out, i)
			}
			continue
		}
		if _, err := fmt.Sscanf(f, "%d", &a); err != nil || fmt.Sprint(a) != f || a < 0 {
			return nil, fmt.Errorf("celebahq: %q is not an idx or a range A-B", f)
		}
		out = append(out, a)
	}
	return out, nil
}
