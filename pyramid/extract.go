package pyramid

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/planar"
)

// Extract writes records [from, to) of the tier of resolution res as PNG
// files dir/img%08d.png (gray for one channel, RGB for three), named by
// record index as the original's extract command does. dir must not exist
// or be empty, and is locked against other progan processes meanwhile;
// the files are written into a hidden folder beside it, renamed into place
// when all are written, so an interrupted run leaves no half-filled
// folder. Files are encoded in parallel. progress, if set, is called per
// file written.
func Extract(ctx context.Context, d *Dataset, res, from, to int, dir string, progress func(int)) error {
	t, err := d.Tier(res)
	if err != nil {
		return err
	}
	if to < 0 || to > t.Records {
		to = t.Records
	}
	if from < 0 || from > to {
		return fmt.Errorf("pyramid: range %d:%d outside [0, %d]", from, to, t.Records)
	}
	dir = filepath.Clean(dir)
	lock, err := lockOutput(dir)
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := checkEmpty(dir); err != nil {
		return err
	}
	tmp := PartialDir(dir)
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pyramid: removing partial output %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("pyramid: %w", err)
	}
	err = extract(ctx, d, res, from, to, tmp, progress)
	if err == nil {
		// An empty destination folder is replaced (checkEmpty above).
		err = atomicfile.CommitDir(tmp, dir)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("pyramid: extract: %w", err)
	}
	return nil
}

// extract writes the files into dir.
func extract(ctx context.Context, d *Dataset, res, from, to int, dir string, progress func(int)) error {
	type item struct {
		i   int
		img *planar.Image
	}
	work := make(chan item, runtime.GOMAXPROCS(0))
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	var wg sync.WaitGroup
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := writePNG(&enc, filepath.Join(dir, fmt.Sprintf("img%08d.png", it.i)), it.img); err != nil {
					fail(err)
					continue
				}
				if progress != nil {
					progress(1)
				}
			}
		}()
	}
	feed := func() error {
		for rec, err := range d.Range(res, from, to) {
			if err != nil {
				return err
			}
			select {
			case work <- item{rec.Index, rec.Image}:
			case err := <-errc:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	err := feed()
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return err
}

// writePNG writes and syncs one file: the folder is renamed into place
// once all are written, and must not then hold empty files after a crash.
func writePNG(enc *png.Encoder, path string, img *planar.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = enc.Encode(f, img.Interleaved())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return nil
}
