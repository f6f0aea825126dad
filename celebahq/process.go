package celebahq

import (
	"fmt"
	"image"

	"github.com/progan/progan/celebahq/internal/ndfilter"
	"github.com/progan/progan/internal/pillow"
)

// Size is the side of a CelebA-HQ image.
const Size = 1024

// warpSize is the side of the intermediate warp, 4× supersampled.
const warpSize = 4096

// Process runs the processing of docs/celebahq.md#per-image on a decoded
// image with its Plan: shrink, crop, super-resolution, the pad branch, the
// QUAD warp to 4096×4096 and the ANTIALIAS resize to 1024×1024. It returns the
// processed image as 3×1024×1024 CHW bytes, the array whose md5 is
// proc_md5. img is first converted as PIL's convert("RGB") converts: gray
// repeated in every channel, alpha dropped keeping the colour values as
// stored; other colour models go through color.NRGBAModel. The original's
// samples are those of IJG libjpeg 8d, as Job decodes img_celeba's JPEGs
// (Go's image/jpeg decodes them differently).
func Process(img image.Image, p *Plan) ([]byte, error) {
	return process(pillow.FromImage(img), p, nil)
}

// process is Process on interleaved RGB. trace, when not nil, sees the
// image after each stage that ran ("shrink", "crop", "superres", "pad",
// "transform4096", "resize1024_hwc").
func process(img *pillow.Image, p *Plan, trace func(stage string, m *pillow.Image)) ([]byte, error) {
	if img.Channels != 3 {
		return nil, fmt.Errorf("celebahq: image has %d channels, want RGB", img.Channels)
	}
	stage := func(name string) {
		if trace != nil {
			trace(name, img)
		}
	}
	if p.Shrink > 1 {
		img = pillow.Resize(img, p.ShrinkSize[0], p.ShrinkSize[1])
		stage("shrink")
	}
	if p.CropApplied {
		img = img.Crop(image.Rect(p.Crop[0], p.Crop[1], p.Crop[2], p.Crop[3]))
		stage("crop")
	}
	if p.Superres > 1 {
		img = pillow.Resize(img, img.Width*p.Superres, img.Height*p.Superres)
		stage("superres")
	}
	if p.Pad.Apply {
		// The authors' numpy (≤ 1.16) reflects long pads periodically;
		// newer ones differ only for pads longer than the image.
		out, w, h, err := ndfilter.PadBlend(img.Pix, img.Width, img.Height, p.Pad.Pad, p.Pad.Blur, ndfilter.ReflectLegacy)
		if err != nil {
			return nil, fmt.Errorf("celebahq: %w", err)
		}
		img = &pillow.Image{Width: w, Height: h, Channels: 3, Pix: out}
		stage("pad")
	}
	img = pillow.Quad(img, warpSize, warpSize, p.TransformData())
	stage("transform4096")
	img = pillow.Resize(img, Size, Size)
	stage("resize1024_hwc")
	return img.Planar(), nil
}
