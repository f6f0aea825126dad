// Package fidelity computes the Inception-based scores of generative
// models from feature vectors: the Fréchet Inception Distance (FID), the
// Kernel Inception Distance (KID) and the Inception Score (IS), with the
// definitions, defaults and arithmetic of torch-fidelity
// (github.com/toshas/torch-fidelity: metric_fid.py, metric_kid.py,
// metric_isc.py), so that the numbers agree with it to about 1e-7 given
// the same features. Package inception computes the features.
//
// FID streams: an Accumulator keeps running sums, so any number of images
// costs Dim² float64 values (32 MiB for 2048 features). KID needs the
// vectors themselves (8 KiB per image for 2048 float32 features), as its
// subsets are drawn from all of them. IS streams too: an ISAccumulator keeps
// two sums per split. Random draws follow numpy's legacy RandomState
// (internal/nprand), as torch-fidelity's do.
//
// Where torch-fidelity computes in float32 (the FID means, KID's kernel
// and sums), this package rounds the same way, with numpy 1.x's
// summation order, because KID is a small difference of large float32 sums
// that another order would move by about 1e-4 of itself. FID's
// tr √(Σ₁Σ₂) is computed from a symmetric eigenproblem rather than
// numpy's non-symmetric eigvals (see FID).
//
// A Cache stores statistics and features on disk between runs.
//
// The goldens of the tests come from torch-fidelity itself
// (inception/testdata/gen/gen.py).
package fidelity
