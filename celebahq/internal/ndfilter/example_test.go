package ndfilter_test

import (
	"fmt"

	"github.com/progan/progan/celebahq/internal/ndfilter"
)

// Reflect padding mirrors without repeating the edge; the two NumPy
// flavours part ways once a side needs several reflections.
func ExamplePadReflect() {
	img := &ndfilter.Image{W: 3, H: 1, C: 1, Pix: []float32{0, 1, 2}}
	for _, mode := range []ndfilter.Reflect{ndfilter.ReflectLegacy, ndfilter.ReflectNumPy117} {
		out, err := ndfilter.PadReflect(img, [4]int{1, 0, 8, 0}, mode)
		if err != nil {
			panic(err)
		}
		fmt.Println(mode, out.Pix)
	}
	// Output:
	// numpy<=1.16 [1 0 1 2 1 0 1 2 1 0 1 2]
	// numpy>=1.17 [1 0 1 2 1 0 1 2 1 0 1 0]
}

// The pad branch as the pipeline runs it: derive the plan from the quad,
// then pad, blur and fade a (here tiny, grey) RGB image.
func ExamplePadBlend() {
	w, h := 6, 4
	src := make([]uint8, w*h*3)
	for i := range src {
		src[i] = uint8(100 + i%7)
	}
	quad := [4][2]float32{{-2, -1}, {-2, 5}, {7, 5}, {7, -1}}
	plan, err := ndfilter.PlanPad(quad, w, h, 3, 200)
	if err != nil {
		panic(err)
	}
	fmt.Printf("apply %v, pad %v, blur %.4f\n", plan.Apply, plan.Pad, plan.Blur)
	out, w2, h2, err := ndfilter.PadBlend(src, w, h, plan.Pad, plan.Blur, ndfilter.ReflectLegacy)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d×%d, top-left pixel %v, centre pixel %v\n", w2, h2, out[:3], out[((h2/2)*w2+w2/2)*3:][:3])
	// Output:
	// apply true, pad [5 4 4 4], blur 0.1024
	// 15×12, top-left pixel [103 103 103], centre pixel [100 101 102]
}
