package trainer

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/trainer/internal/nn"
)

func TestOpenDevice(t *testing.T) {
	d, err := OpenDevice(DeviceCPU)
	if err != nil || d.nn() != nil || !strings.HasPrefix(d.String(), "cpu") {
		t.Fatalf("cpu: %v, %v", d, err)
	}
	if _, err := OpenDevice("tpu"); err == nil || !strings.Contains(err.Error(), `"tpu"`) {
		t.Errorf("tpu: %v", err)
	}
	if !nn.CUDAAvailable {
		if DefaultDevice() != DeviceCPU {
			t.Errorf("default device %s in a build without CUDA", DefaultDevice())
		}
		if _, err := OpenDevice(DeviceCUDA); !errors.Is(err, nn.ErrNoCUDA) || !strings.Contains(err.Error(), "-tags cuda") {
			t.Errorf("cuda without the backend: %v", err)
		}
	}
}

// TestRelay checks the hand-over of generated images to a consumer on
// another goroutine: all in order, and a consumer that stops early or
// fails does not block the producer.
func TestRelay(t *testing.T) {
	produce := func(n int, errAt int) iter.Seq2[*planar.Image, error] {
		return func(yield func(*planar.Image, error) bool) {
			for i := range n {
				if i == errAt {
					yield(nil, errors.New("boom"))
					return
				}
				img := planar.NewImage(1, 4)
				img.Pix[0] = byte(i)
				if !yield(img, nil) {
					return
				}
			}
		}
	}
	count := func(limit int) func(context.Context, iter.Seq2[*planar.Image, error]) (int, error) {
		return func(_ context.Context, s iter.Seq2[*planar.Image, error]) (int, error) {
			k := 0
			for img, err := range s {
				if err != nil {
					return k, err
				}
				if int(img.Pix[0]) != k {
					return k, errors.New("out of order")
				}
				if k++; k == limit {
					return k, errors.New("enough")
				}
			}
			return k, nil
		}
	}
	if k, err := relay(context.Background(), produce(100, -1), count(-1)); k != 100 || err != nil {
		t.Errorf("all: %d, %v", k, err)
	}
	if k, err := relay(context.Background(), produce(100, -1), count(3)); k != 3 || err == nil || err.Error() != "enough" {
		t.Errorf("early stop: %d, %v", k, err)
	}
	if k, err := relay(context.Background(), produce(100, 40), count(-1)); k != 40 || err == nil || err.Error() != "boom" {
		t.Errorf("producer error: %d, %v", k, err)
	}
}
