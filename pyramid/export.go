package pyramid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/parallel"
)

// ZipOptions configure ExportZip.
type ZipOptions struct {
	// Compression is the PNG compression level (png.DefaultCompression,
	// png.NoCompression, png.BestSpeed, png.BestCompression).
	Compression png.CompressionLevel
	Workers     int       // PNG encoders; 0: GOMAXPROCS
	Progress    func(int) // called with the number of images written
}

// ExportZip writes tier res of d to w in the layout of
// stylegan2-ada-pytorch's and stylegan3's dataset_tool: a zip (stored, not
// deflated) of PNG files "00000/img00000000.png", … (1000 per folder), in
// record order, followed by "dataset.json" whose "labels" lists
// [name, class] pairs when the labels are one-hot (and the last class is
// used, see classes), [name, [v0, v1, …]] pairs for other labels, and is
// null for a dataset without labels.
func ExportZip(ctx context.Context, d *Dataset, res int, w io.Writer, opt ZipOptions) error {
	if _, err := d.Tier(res); err != nil {
		return err
	}
	labels, err := d.Labels()
	if err != nil {
		return err
	}
	if labels != nil {
		// Checked before the images are encoded: JSON has no NaN or ±Inf.
		for i := range labels.Rows {
			for k, v := range labels.Row(i) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return fmt.Errorf("pyramid: export: label of record %d: value %v in column %d is not a finite number, which dataset.json cannot hold", i, v, k)
				}
			}
		}
	}
	zw := zip.NewWriter(w)
	enc := png.Encoder{CompressionLevel: opt.Compression}
	type encoded struct {
		name string
		png  []byte
	}
	recs := func(yield func(Record) bool) {
		for rec, rerr := range d.Records(res) {
			if rerr != nil {
				err = rerr
				return
			}
			if !yield(rec) {
				return
			}
		}
	}
	var names []string
	for e, perr := range parallel.Map(ctx, recs, opt.Workers, func(rec Record) (encoded, error) {
		var buf bytes.Buffer
		if err := enc.Encode(&buf, rec.Image.Interleaved()); err != nil {
			return encoded{}, err
		}
		return encoded{ZipImageName(rec.Index), buf.Bytes()}, nil
	}) {
		if perr != nil {
			return fmt.Errorf("pyramid: export: %w", perr)
		}
		f, ferr := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: zipTime})
		if ferr != nil {
			return fmt.Errorf("pyramid: export: %w", ferr)
		}
		if _, ferr := f.Write(e.png); ferr != nil {
			return fmt.Errorf("pyramid: export: %w", ferr)
		}
		names = append(names, e.name)
		if opt.Progress != nil {
			opt.Progress(1)
		}
	}
	if err != nil {
		return err
	}
	meta := struct {
		Labels []any `json:"labels"`
	}{}
	if labels != nil {
		if labels.Rows != len(names) {
			return fmt.Errorf("pyramid: export: %d labels for %d images", labels.Rows, len(names))
		}
		meta.Labels = make([]any, len(names))
		cs := classes(labels)
		for i, name := range names {
			if cs != nil {
				meta.Labels[i] = []any{name, cs[i]}
			} else {
				meta.Labels[i] = []any{name, floatRow(labels.Row(i))}
			}
		}
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: "dataset.json", Method: zip.Store, Modified: zipTime})
	if err != nil {
		return fmt.Errorf("pyramid: export: %w", err)
	}
	if err := json.NewEncoder(f).Encode(meta); err != nil {
		return fmt.Errorf("pyramid: export: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("pyramid: export: %w", err)
	}
	return nil
}

// zipTime dates every member, so that the same dataset gives the same zip.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// ZipImageName is the member name of image i in an exported zip, as
// stylegan2-ada-pytorch's dataset_tool names it.
func ZipImageName(i int) string {
	s := fmt.Sprintf("%08d", i)
	return s[:5] + "/img" + s + ".png"
}

// classes returns the class of every row when every row is one-hot and
// the last column is some row's class. stylegan2-ada-pytorch reads integer
// labels as classes and one-hot encodes them with max class + 1 columns:
// classes whose last one is never used would lose the dataset's width, so
// such labels are written as rows.
func classes(labels *Labels) []int {
	cs := make([]int, labels.Rows)
	last := false
	for i := range labels.Rows {
		c, ok := class(labels.Row(i))
		if !ok {
			return nil
		}
		cs[i] = c
		last = last || c == labels.Cols-1
	}
	if !last {
		return nil
	}
	return cs
}

// floatRow is a label row in dataset.json. Every value is written as a
// float for Python's json (1.0, -0.0, 1e-07: never 1 or -0, which it
// reads as integers, losing the sign of zero), as the shortest decimal
// that Python's float64, cast to float32 by the loader, turns back into
// the same float32.
type floatRow []float32

func (r floatRow) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, v := range r {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("label value %v is not a finite number", v)
		}
		s := strconv.FormatFloat(float64(v), 'g', -1, 32)
		if f, err := strconv.ParseFloat(s, 64); err != nil || float32(f) != v {
			s = strconv.FormatFloat(float64(v), 'g', -1, 64) // exact, where double rounding would err
		}
		b = append(b, s...)
		if !strings.ContainsAny(s, ".e") {
			b = append(b, ".0"...)
		}
	}
	return append(b, ']'), nil
}

// class returns the class of a one-hot row.
func class(row []float32) (int, bool) {
	c := -1
	for i, v := range row {
		switch {
		case v == 1 && c < 0:
			c = i
		case v != 0:
			return 0, false
		}
	}
	return c, c >= 0
}

// ExportZipFile writes the zip to path atomically: into a hidden temporary
// file beside it, renamed into place only when complete. An existing path
// is not overwritten, and path is locked against other progan processes
// meanwhile.
func ExportZipFile(ctx context.Context, d *Dataset, res int, path string, opt ZipOptions) error {
	path = filepath.Clean(path)
	lock, err := lockOutput(path)
	if err != nil {
		return err
	}
	defer lock.Release()
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("pyramid: %s: %w", path, os.ErrExist)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	var werr error
	err = atomicfile.WriteVia(path, tmp, 0o666, func(w io.Writer) error {
		werr = ExportZip(ctx, d, res, w, opt)
		return werr
	})
	if err != nil {
		if err == werr {
			return err
		}
		return fmt.Errorf("pyramid: %w", err)
	}
	return atomicfile.SyncDir(filepath.Dir(path))
}
