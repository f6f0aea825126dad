package pyramid

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Extract writes records [from, to) of the tier of resolution res as PNG
// files dir/img%08d.png (gray for one channel, RGB for three), named by
// record index as the original's extract command does. Files are encoded
// in parallel and each appears only once complete. progress, if set, is
// called per file written.
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pyramid: %w", err)
	}
	type item struct {
		i   int
		img *Image
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
	err = feed()
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

func writePNG(enc *png.Encoder, path string, img *Image) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("pyramid: %w", err)
	}
	if err := enc.Encode(f, img.Interleaved()); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("pyramid: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pyramid: %w", err)
	}
	return os.Rename(tmp, path)
}
