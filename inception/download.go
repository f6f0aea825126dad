package inception

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/progan/progan/internal/atomicfile"
)

// Download fetches the weights file at rawURL into dir (created if
// needed), under the URL's file name, and returns its path. The name must
// carry the first hex digits of the file's SHA-256 in PyTorch hub's way
// ("…-6726825d.pth"), as the published files' names do, and the download
// must match them; a file that does not is not kept. progress, when not
// nil, is called with the number of bytes received as they arrive, and
// total with the announced size (−1 when unknown) before the first.
func Download(ctx context.Context, rawURL, dir string, total func(int64), progress func(int)) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("inception: download: %w", err)
	}
	name := path.Base(u.Path)
	m := hashInName.FindStringSubmatch(name)
	if m == nil || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("inception: download %s: the file name carries no SHA-256 prefix to check it by", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("inception: download: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("inception: download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("inception: download %s: %s", rawURL, resp.Status)
	}
	if resp.ContentLength > maxWeightsFile {
		return "", fmt.Errorf("inception: download %s: %d bytes: too large for Inception v3 weights", rawURL, resp.ContentLength)
	}
	if total != nil {
		total(resp.ContentLength)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", fmt.Errorf("inception: download: %w", err)
	}
	dst := filepath.Join(dir, name)
	err = atomicfile.Write(dst, func(w io.Writer) error {
		h := sha256.New()
		body := io.LimitReader(resp.Body, maxWeightsFile+1)
		buf := make([]byte, 1<<20)
		var n int64
		for {
			k, err := body.Read(buf)
			if k > 0 {
				n += int64(k)
				if n > maxWeightsFile {
					return fmt.Errorf("more than %d bytes: too large for Inception v3 weights", maxWeightsFile)
				}
				h.Write(buf[:k])
				if _, err := w.Write(buf[:k]); err != nil {
					return err
				}
				if progress != nil {
					progress(k)
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength {
			return fmt.Errorf("%d of %d bytes received", n, resp.ContentLength)
		}
		if got := hex.EncodeToString(h.Sum(nil)); !strings.HasPrefix(got, m[1]) {
			return fmt.Errorf("SHA-256 %s… does not begin with %s as the file's name says", got[:16], m[1])
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("inception: download %s: %w", rawURL, err)
	}
	return dst, nil
}
