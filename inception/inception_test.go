package inception

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/planar"
)

func zeroTensors() map[string]Tensor {
	ts := map[string]Tensor{}
	for _, l := range Layout() {
		n := 1
		for _, d := range l.Shape {
			n *= d
		}
		ts[l.Name] = Tensor{Shape: l.Shape, Data: make([]float32, n)}
	}
	return ts
}

func TestNewErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(map[string]Tensor)
		msg    string
	}{
		{"missing", func(ts map[string]Tensor) { delete(ts, "Mixed_6c.branch7x7_2.conv.weight") }, "tensor Mixed_6c.branch7x7_2.conv.weight missing"},
		{"shape", func(ts map[string]Tensor) {
			ts["fc.bias"] = Tensor{Shape: []int{1001}, Data: make([]float32, 1001)}
		}, "tensor fc.bias: shape [1001] (1001 values), want [1008]"},
		{"extra", func(ts map[string]Tensor) {
			ts["classifier.weight"] = Tensor{Shape: []int{1}, Data: []float32{0}}
		}, "unexpected tensor classifier.weight"},
		{"negative variance", func(ts map[string]Tensor) {
			ts["Conv2d_1a_3x3.bn.running_var"].Data[3] = -1
		}, "running_var: element 3 is -1"},
		{"NaN", func(ts map[string]Tensor) {
			ts["Mixed_7c.branch_pool.conv.weight"].Data[5] = float32(math.NaN())
		}, "tensor Mixed_7c.branch_pool.conv.weight: element 5 is NaN"},
		{"ignored", func(ts map[string]Tensor) {
			ts["Conv2d_1a_3x3.bn.num_batches_tracked"] = Tensor{}
			ts["AuxLogits.fc.weight"] = Tensor{}
		}, ""},
	} {
		ts := zeroTensors()
		c.change(ts)
		_, err := New(ts)
		if c.msg == "" && err != nil || c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

func TestLoadPth(t *testing.T) {
	// bn.pth holds only the batch norm tensors and fc.bias: it decodes,
	// and the model refuses it naming the first missing tensor.
	_, err := Load("testdata/bn.pth")
	if err == nil || !strings.Contains(err.Error(), "tensor Conv2d_1a_3x3.conv.weight missing (in testdata/bn.pth)") {
		t.Errorf("Load(bn.pth): %v", err)
	}
	dir := t.TempDir()
	if _, err := Load(dir); err == nil {
		t.Error("Load(folder): no error")
	}
	p := filepath.Join(dir, "x.pth")
	os.WriteFile(p, []byte("PK\x03\x04 not a zip"), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("Load(bad zip): %v", err)
	}
}

func TestFindWeights(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("TORCH_HOME", filepath.Join(dir, "torch"))
	t.Setenv(WeightsEnv, "")
	if _, err := FindWeights(""); err == nil || !strings.Contains(err.Error(), TorchFidelityURL) {
		t.Fatalf("nothing there: %v", err)
	}
	hub := filepath.Join(dir, "torch", "hub", "checkpoints", PytorchFIDFile)
	os.MkdirAll(filepath.Dir(hub), 0o755)
	os.WriteFile(hub, nil, 0o644)
	if p, err := FindWeights(""); p != hub || err != nil {
		t.Errorf("hub: %q %v, want %q", p, err, hub)
	}
	cd, _ := CacheDir()
	own := filepath.Join(cd, TorchFidelityFile)
	os.MkdirAll(cd, 0o755)
	os.WriteFile(own, nil, 0o644)
	if p, _ := FindWeights(""); p != own {
		t.Errorf("cache: %q, want %q", p, own)
	}
	t.Setenv(WeightsEnv, "/env/w.pth")
	if p, _ := FindWeights(""); p != "/env/w.pth" {
		t.Errorf("env: %q", p)
	}
	if p, _ := FindWeights("flag.pth"); p != "flag.pth" {
		t.Errorf("flag: %q", p)
	}
}

// Input reads colours as Pillow's convert("RGB"): gray repeated, alpha
// dropped keeping the stored colour, premultiplied colour un-premultiplied.
func TestInputColours(t *testing.T) {
	rgb := func(img image.Image) []uint8 {
		x, _, _, err := planes(img)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	g := image.NewGray(image.Rect(0, 0, 2, 1))
	g.Pix = []byte{10, 200}
	p := planar.NewImage(1, 1)
	p.Pix[0] = 10
	n := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	n.Pix = []byte{10, 20, 30, 0} // transparent: colour kept
	r := image.NewRGBA(image.Rect(0, 0, 1, 1))
	r.Pix = []byte{5, 10, 15, 128} // premultiplied
	r2 := image.NewRGBA(image.Rect(0, 0, 1, 1))
	r2.Pix = []byte{128, 0, 200, 129} // c·255/a truncated: 253, not 254; clipped to 255
	n64 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	n64.SetNRGBA64(0, 0, color.NRGBA64{0x1234, 0x3456, 0x5678, 0}) // transparent: colour kept, high bytes
	ya := image.NewNYCbCrA(image.Rect(0, 0, 1, 1), image.YCbCrSubsampleRatio444)
	ya.Y[0], ya.Cb[0], ya.Cr[0], ya.A[0] = 100, 128, 128, 0 // transparent: colour kept
	pal := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.NRGBA{1, 2, 3, 4}})
	for _, c := range []struct {
		name string
		img  image.Image
		want []uint8
	}{
		{"gray", g, []uint8{10, 200, 10, 200, 10, 200}},
		{"planar gray", p, []uint8{10, 10, 10}},
		{"nrgba", n, []uint8{10, 20, 30}},
		{"rgba", r, []uint8{9, 19, 29}},
		{"paletted", pal, []uint8{1, 2, 3}},
		{"rgba as Pillow's RGBa", r2, []uint8{253, 0, 255}},
		{"nrgba64 transparent", n64, []uint8{0x12, 0x34, 0x56}},
		{"nycbcra transparent", ya, []uint8{100, 100, 100}},
	} {
		if got := rgb(c.img); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := Input(image.NewGray(image.Rect(0, 0, 0, 5)), TorchFidelity); err != ErrEmpty {
		t.Errorf("empty image: %v", err)
	}
	if _, err := Input(g, "tf"); err == nil {
		t.Error("unknown protocol: no error")
	}
}
