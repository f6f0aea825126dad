package celebahq_test

import (
	"fmt"
	"image/jpeg"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/celebahq"
)

// NewPlan computes an image's geometry from its landmarks and size, and
// Process runs the crop, super-resolution, warp and resize on the decoded
// image, giving the 3×1024×1024 array the delta is added to. (Job decodes
// the JPEG as libjpeg 8d does, which the original's md5s need; Go's
// image/jpeg, used here, gives slightly different samples.)
func ExampleProcess() {
	const dir = "testdata/celebahq-mini"
	lms, err := celebahq.ReadLandmarks(filepath.Join(dir, "Anno", "list_landmarks_celeba.txt"))
	if err != nil {
		log.Fatal(err)
	}
	lm, err := lms.Lookup(9, celebahq.OrigFile(9))
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "img_celeba", lm.File))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	b := img.Bounds()
	p, err := celebahq.NewPlan(lm.Float32(), b.Dx(), b.Dy())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, %d×%d: crop %v, super-resolution ×%d, pad branch %v\n", lm.File, b.Dx(), b.Dy(), p.Crop, p.Superres, p.Pad.Apply)
	chw, err := celebahq.Process(img, p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(chw) == 3*celebahq.Size*celebahq.Size)
	// Output:
	// 000010.jpg, 420×520: crop [106 99 315 309], super-resolution ×8, pad branch false
	// true
}
