package folder_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/progan/progan/folder"
	"github.com/progan/progan/pyramid"
)

// A broken file stops Pack with an *InputError and leaves nothing; with
// KeepGoing it is skipped and listed.
func TestPackSkipsWithKeepGoing(t *testing.T) {
	in := t.TempDir()
	for i := range 4 {
		f, err := os.Create(filepath.Join(in, fmt.Sprintf("%d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, image.NewGray(image.Rect(0, 0, 4, 4)))
		f.Close()
	}
	bad := filepath.Join(in, "2.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	src, err := folder.Open(in, folder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "ds")
	_, err = pyramid.Pack(context.Background(), src, out, pyramid.PackOptions{})
	var ie *pyramid.InputError
	if !errors.As(err, &ie) || ie.Input != bad {
		t.Fatalf("got %v, want an *InputError for %s", err, bad)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed run left output")
	}
	res, err := pyramid.Pack(context.Background(), src, out, pyramid.PackOptions{KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != 3 || res.Inputs != 4 || len(res.Skipped) != 1 || res.Skipped[0].Input != bad {
		t.Fatalf("got %+v", res)
	}
	if fp, _ := src.Fingerprint(pyramid.PackOptions{}); fp == "" {
		t.Fatal("no fingerprint")
	}
}
