package folder_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"

	"github.com/progan/progan/folder"
	"github.com/progan/progan/pyramid"
)

// The images of a folder, centre-cropped and resized to 16×16, as
// pyramid.Pack would read them: in sorted order, one item each.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "folder-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	for i, name := range []string{"b.png", "a.png", "c.png"} {
		img := image.NewRGBA(image.Rect(0, 0, 40, 32)) // not square: cropped
		for y := range 32 {
			for x := range 40 {
				img.Set(x, y, color.RGBA{uint8(60 * i), uint8(4 * y), 0, 255})
			}
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		png.Encode(f, img)
		f.Close()
	}

	src, err := folder.Open(dir, folder.Options{Resolution: 16})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(src.Files()), "files")
	for it, err := range src.Items(context.Background(), pyramid.Position{}) {
		if err != nil {
			panic(err)
		}
		if it.Err != nil {
			fmt.Println(it.Name, "skipped:", it.Err)
			continue
		}
		b := it.Image.Bounds()
		r, _, _, _ := it.Image.At(0, 0).RGBA()
		fmt.Printf("%s %dx%d red %d\n", filepath.Base(it.Name), b.Dx(), b.Dy(), r>>8)
	}
	// Output:
	// 3 files
	// a.png 16x16 red 60
	// b.png 16x16 red 0
	// c.png 16x16 red 120
}
