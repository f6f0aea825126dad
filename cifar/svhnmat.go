package cifar

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/progan/progan/cifar/internal/matv5"
	"github.com/progan/progan/internal/imagefile"
)

// SVHNMat is the file name of the official SVHN training set.
const SVHNMat = "train_32x32.mat"

// readSVHNMat reads the official SVHN release, a MATLAB level 5 file with
// X, uint8 32×32×3×N (row, column, channel, image) stored column-major,
// and y, N×1 labels 1..10 where 10 stands for the digit 0. Images become
// CHW and the label 10 becomes 0, the layout of NVIDIA's pickles that the
// original reads. The file is streamed: X is read one image at a time.
func readSVHNMat(path string) (*Dataset, error) {
	f, _, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	r, err := matv5.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("cifar: %s: %w", path, err)
	}
	d := &Dataset{Classes: 10, Sources: []string{path}, Batches: []string{path}}
	var haveX, haveY bool
	var ys []float64
	for {
		v, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cifar: %s: %w", path, err)
		}
		switch v.Name {
		case "X":
			if len(v.Dims) != 4 || v.Dims[0] != 32 || v.Dims[1] != 32 || v.Dims[2] != 3 {
				return nil, fmt.Errorf("cifar: %s: X has dimensions %v, want 32×32×3×N", path, v.Dims)
			}
			if d.Pix, err = svhnImages(v); err != nil {
				return nil, fmt.Errorf("cifar: %s: %w", path, err)
			}
			haveX = true
		case "y":
			if len(v.Dims) != 2 || v.Dims[1] != 1 && v.Dims[0] != 1 {
				return nil, fmt.Errorf("cifar: %s: y has dimensions %v, want N×1", path, v.Dims)
			}
			if ys, err = v.Float64(); err != nil {
				return nil, fmt.Errorf("cifar: %s: %w", path, err)
			}
			haveY = true
		}
	}
	if !haveX || !haveY {
		return nil, fmt.Errorf("cifar: %s: no X and y variables (not an SVHN file)", path)
	}
	if len(ys) != d.Len() {
		return nil, fmt.Errorf("cifar: %s: %d labels for %d images", path, len(ys), d.Len())
	}
	d.Labels = make([]int, len(ys))
	for i, y := range ys {
		if y != math.Trunc(y) || y < 1 || y > 10 {
			return nil, fmt.Errorf("cifar: %s: label %v of image %d out of range 1..10", path, y, i)
		}
		d.Labels[i] = int(y) % 10
	}
	return d, nil
}

// svhnImages reads X image by image and transposes each from MATLAB's
// column-major (row, column) order to CHW.
func svhnImages(v *matv5.Var) ([]byte, error) {
	n := v.Dims[3]
	rd, err := v.Uint8Reader()
	if err != nil {
		return nil, err
	}
	pix := make([]byte, 0, min(n, 1<<16)*ImageBytes)
	var buf [ImageBytes]byte
	for i := range n {
		if _, err := io.ReadFull(rd, buf[:]); err != nil {
			return nil, fmt.Errorf("X: image %d: %w", i, err)
		}
		start := len(pix)
		pix = append(pix, buf[:]...)
		img := pix[start:]
		for c := range 3 {
			src, dst := buf[c*1024:(c+1)*1024], img[c*1024:(c+1)*1024]
			for col := range 32 {
				for row := range 32 {
					dst[row*32+col] = src[col*32+row]
				}
			}
		}
	}
	var one [1]byte
	if k, err := rd.Read(one[:]); k != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("more values than its dimensions")
		}
		return nil, fmt.Errorf("X: %w", err)
	}
	return pix, nil
}

// svhnMatPath returns the official release file path names, or "".
func svhnMatPath(path string) string {
	if st, err := os.Stat(path); err == nil && !st.IsDir() && filepath.Ext(path) == ".mat" {
		return path
	}
	p := filepath.Join(path, SVHNMat)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}
