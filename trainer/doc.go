// Package trainer trains a Progressive GAN as the reference does (Karras et
// al., "Progressive Growing of GANs for Improved Quality, Stability, and
// Variation", ICLR 2018; the TensorFlow code of
// tkarras/progressive_growing_of_gans; described in docs/trainer.md): it
// grows G_paper and D_paper from 4×4 to the dataset's resolution, reading
// the packed tiers of a pyramid dataset directly, and writes sample grids,
// SWD and checkpoints to a run folder.
//
// What follows the reference (each point has its section in
// docs/trainer.md):
//
//   - networks: channels nf(s) = min(8192/2^s, 512), latent
//     nf(0) = 512, pixel-normalised latent (and label) input, dense 4×4
//     start with gain √2/4, upsampling + 3×3 convolutions with a pixel
//     norm after every convolution of G, 1×1 linear toRGB; 1×1 fromRGB
//     with leaky ReLU 0.2, 3×3 convolutions and 2×2 average pooling, and
//     minibatch stddev (group 4) at 4×4 in D; equalized learning rate
//     everywhere; fades with weight lod − floor(lod) on the old path, in
//     both networks and for the reals. Labels, when the dataset has them,
//     go into G beside the latent and out of D as logits (AC-GAN).
//   - losses: WGAN-GP with λ = 10, γ = 1, drift 0.001 and
//     per-sample interpolation, plus the label cross-entropies; or the
//     Theano version's LSGAN.
//   - optimiser: TensorFlow's Adam with β1 = 0, β2 = 0.99,
//     ε = 1e-8, reset whenever floor(lod) or ceil(lod) changes, the
//     update skipped when a gradient is not finite.
//   - schedule and loop: 600 kimg stable and 600 kimg fading
//     per resolution, per-resolution minibatch, learning-rate and tick
//     tables (DefaultConfig is the shipped one-GPU fp32 preset), four
//     minibatches per evaluation of the schedule, each a D step followed
//     by the update of the moving average Gs (β = 0.999) and a G step.
//   - real images: the tier of resolution R/2^floor(lod), [0, 255]
//     mapped to [−1, 1], optional mirroring, faded toward the 2×2 mean.
//   - snapshots: reals.png and fakesKKKKKK.png grids of Gs with
//     fixed latents, with the reference's grid size rule.
//
// Where it differs, and why:
//
//   - The networks run at the resolution of the current level of detail
//     instead of at R with nearest-neighbour upscaling in G and average
//     pooling in D, which cancel exactly; this saves the work of the
//     upscaled layers. The gradient penalty's norm is divided by
//     2^floor(lod) so that it equals the reference's, whose gradient is
//     taken at full resolution (docs/trainer.md#losses).
//   - G's fused transposed convolution is written as upsampling followed
//     by a 3×3 convolution, the same function (docs/trainer.md#layers);
//     see the checkpoint format in checkpoint.go.
//   - Random numbers come from PCG streams keyed by seed, purpose and step
//     (not from TensorFlow's and numpy's generators), so that a resumed
//     run is identical to an uninterrupted one.
//   - Checkpoints are safetensors files holding G, D, Gs and the Adam
//     state with the run's position; they are written atomically.
//   - At every checkpoint the sliced Wasserstein distance of Gs samples
//     against reals is computed (package swd) and drawn to swd.png.
//
// A run folder holds config.json, log.txt (tick lines in the reference's
// format), stats.jsonl (one JSON object per tick: kimg, lod, minibatch,
// losses, seconds per kimg, SWD), reals.png, fakes*.png, swd.png,
// network-snapshot-*.safetensors, and at the end network-final.safetensors
// and _training-done.txt. A run holds the lock of package lockfile on its
// folder while it runs: a second trainer of the same folder fails at once.
// A run that diverges (weights or optimiser state not finite at a
// checkpoint, or no finite loss in a whole tick) stops with ErrDiverged
// and leaves its last finite checkpoint; a resume refuses a checkpoint of
// another dataset than the run's.
//
// All arithmetic is float32 through the layers of trainer/internal/nn: on
// the CPU cores (GOMAXPROCS), or on an NVIDIA GPU in a build with the cuda
// build tag (see Device and docs/gpu.md).
package trainer
