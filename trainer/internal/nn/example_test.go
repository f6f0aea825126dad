package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/progan/progan/trainer/internal/nn"
)

// A toy discriminator in the layout of the reference's 4×4 block, and one
// WGAN-GP step's penalty: Accumulate adds ∂P/∂θ to the weight gradients,
// which the optimiser then reads from Params.
func ExamplePenalty() {
	rng := rand.New(rand.NewPCG(1, 2))
	lrelu := func() nn.Layer[float32] { return &nn.LeakyReLU[float32]{Slope: 0.2} }
	d := nn.Sequential[float32]{
		nn.NewConv2D[float32](3, 8, 1, math.Sqrt2, rng), nn.NewBias[float32](8), lrelu(), // FromRGB
		&nn.MinibatchStddev[float32]{},
		nn.NewConv2D[float32](9, 8, 3, math.Sqrt2, rng), nn.NewBias[float32](8), lrelu(),
		nn.NewDense[float32](8*4*4, 8, math.Sqrt2, rng), nn.NewBias[float32](8), lrelu(),
		nn.NewDense[float32](8, 1, 1, rng), nn.NewBias[float32](1),
	}

	// x̂ = real + (fake − real)·u; random here.
	xhat := nn.New[float32](4, 3, 4, 4)
	for i := range xhat.Data {
		xhat.Data[i] = float32(rng.NormFloat64())
	}
	nn.ZeroGrad(d)
	p := nn.Penalty[float32]{Lambda: 10, Target: 1}.Accumulate(d, xhat)
	fmt.Printf("P = %.2f\n", p)

	var n int
	for _, q := range nn.Params(d) {
		n += len(q.Grad)
	}
	fmt.Println(len(nn.Params(d)), "parameter arrays,", n, "gradients")
	// Output:
	// P = 1.61
	// 8 parameter arrays, 1729 gradients
}

// The generator's 4×4 start as in the reference's G_paper: the normalised
// latent through a dense layer with gain √2/4, reshaped channel-major to
// 4×4 maps, then a per-channel bias, leaky ReLU and pixel norm.
func ExampleReshape() {
	const latent, channels = 16, 8
	g := nn.Sequential[float32]{
		&nn.PixelNorm[float32]{},
		nn.NewDense[float32](latent, channels*16, math.Sqrt2/4, rand.New(rand.NewPCG(1, 2))),
		&nn.Reshape[float32]{Shape: []int{channels, 4, 4}},
		nn.NewBias[float32](channels),
		&nn.LeakyReLU[float32]{Slope: 0.2},
		&nn.PixelNorm[float32]{},
	}
	z := nn.New[float32](2, latent)
	for i := range z.Data {
		z.Data[i] = float32(i%7) - 3
	}
	y := g.Forward(z)
	fmt.Println(y.Shape)
	// Output: [2 8 4 4]
}
