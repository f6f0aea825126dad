package inception

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDownload fetches from a local server: a file whose SHA-256 begins
// as its name says is kept; a damaged one, a missing one and one too large
// are refused and leave nothing behind.
func TestDownload(t *testing.T) {
	body := []byte("pretend weights")
	sum := sha256.Sum256(body)
	prefix := hex.EncodeToString(sum[:])[:8]
	good := "/w-" + prefix + ".pth"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case good:
			w.Write(body)
		case "/bad-" + prefix + ".pth":
			w.Write([]byte("damaged weights"))
		case "/huge-" + prefix + ".pth":
			w.Header().Set("Content-Length", "999999999999")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "cache")
	var announced int64
	var got int
	p, err := Download(t.Context(), srv.URL+good, dir, func(n int64) { announced = n }, func(n int) { got += n })
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != string(body) || announced != int64(len(body)) || got != len(body) {
		t.Errorf("downloaded %q (announced %d, progress %d)", b, announced, got)
	}
	for _, c := range []struct{ path, msg string }{
		{"/bad-" + prefix + ".pth", "does not begin with " + prefix},
		{"/huge-" + prefix + ".pth", "too large"},
		{"/gone-" + prefix + ".pth", "404"},
		{"/noprefix.pth", "carries no SHA-256 prefix"},
	} {
		_, err := Download(t.Context(), srv.URL+c.path, dir, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.path, err, c.msg)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("cache holds %v, want only the good file", names)
	}
}
