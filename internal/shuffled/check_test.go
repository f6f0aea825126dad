package shuffled

import (
	"errors"
	"testing"
)

func TestCheckOrder(t *testing.T) {
	var (
		empty   = errors.New("empty")
		partial = errors.New("partial")
		pixels  = errors.New("pixels")
		label   = errors.New("label")
	)
	check := func(n, want int, emptyFirst bool, pix []byte, labels []uint8) error {
		c := Check[uint8]{N: n, Want: want, EmptyFirst: emptyFirst, Pix: pix, Labels: labels, Classes: 10,
			Empty:   func() error { return empty },
			Partial: func() error { return partial },
			Pixels:  func(lo, hi byte) error { return pixels },
			Label:   func(i, l int) error { return label },
		}
		return c.Run()
	}
	full := []byte{0, 255}
	for _, tt := range []struct {
		n, want    int
		emptyFirst bool
		pix        []byte
		labels     []uint8
		err        error
	}{
		{0, 2, true, nil, nil, empty},
		{0, 2, false, nil, nil, partial},
		{0, 0, false, nil, nil, empty},
		{1, 2, false, full, []uint8{1}, partial},
		{2, 2, false, []byte{0, 254}, []uint8{1, 2}, pixels},
		{2, 2, false, full, []uint8{1, 10}, label},
		{2, 2, false, full, []uint8{1, 9}, nil},
	} {
		if err := check(tt.n, tt.want, tt.emptyFirst, tt.pix, tt.labels); err != tt.err {
			t.Errorf("%+v: %v, want %v", tt, err, tt.err)
		}
	}
}
