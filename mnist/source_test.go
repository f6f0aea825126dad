package mnist

import (
	"bytes"
	"context"
	"testing"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid"
)

// A resumed RGBSource replays the draws: its items are the tail of a
// fresh run's.
func TestRGBSourceResume(t *testing.T) {
	s, err := ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	src := s.RGBSource("testdata", 5, 123)
	var all [][]byte
	for it, err := range src.Items(context.Background(), pyramid.Position{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, it.Image.(*planar.Image).Pix)
	}
	k := 2
	for it, err := range src.Items(context.Background(), pyramid.Position{Inputs: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(it.Image.(*planar.Image).Pix, all[k]) {
			t.Fatalf("item %d differs after resuming at 2", k)
		}
		k++
	}
	if len(all) != 5 || k != 5 {
		t.Fatalf("%d items, resumed up to %d", len(all), k)
	}
}
