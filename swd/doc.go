// Package swd computes the Laplacian-pyramid sliced Wasserstein distance
// (SWD) of Karras et al. 2018 between two image sets, with the original
// evaluation's protocol (metrics/sliced_wasserstein.py of
// tkarras/progressive_growing_of_gans, and the project's numeric oracle
// swdref.py, both described in docs/swd.md):
//
//   - per image, a Laplacian pyramid built with the 5×5 binomial kernel
//     [1 4 6 4 1]²/256 and mirror borders (scipy's 'mirror', OpenCV's
//     REFLECT_101): pyr_down filters and keeps even rows and columns,
//     pyr_up inserts zeros and filters with 4× the kernel; levels from full
//     resolution down to 16×16, the last one the low-pass image;
//   - per level, 128 random 7×7×3 neighbourhoods per image (column centre
//     drawn first, then the row; each descriptor is channel × column × row,
//     the original's layout);
//   - per level, each set standardised per channel with its own mean and
//     population standard deviation;
//   - the sliced Wasserstein distance over 4 repeats × 128 random unit
//     directions: project both sets, sort each direction's projections,
//     take the mean absolute difference, average;
//   - ×1e3 per level, highest resolution first, and the mean of the levels.
//
// Distance scores fakes against reals. An Evaluator runs the same steps
// one at a time (Collect a set, Compare two), which serves the noise floor
// (reals against a second, disjoint set of reals, the original's "Reals2"
// row) and several fake sets against one collected real set. Images are
// streamed and read once; gray images are tiled to RGB as the original
// does.
//
// # Random streams
//
// By default every random choice is a PCG stream (math/rand/v2) keyed by
// the seed and by what it is for: the neighbourhoods of image i of the
// k-th set an Evaluator collects, the directions of each level and repeat
// (the same for every Compare of an Evaluator). Results then differ from
// the oracle's only by the randomness. The seed-to-seed standard
// deviation is 1 to 7% of a level's value at 1024 images of 128² (0.6%
// for the average) and 2 to 5% at 2048 of 64²; over 5 seeds the default
// and Numpy modes' means agree within 1.2 standard errors on every level
// (30 seeds at 256 images of 64²: within 1.2 as well).
//
// With Options.Numpy the draws come from numpy's legacy
// RandomState(seed), in the oracle's order: for each set, per minibatch
// (the original's clip(8192 // res, 4, 256) images) and per level, the
// column centres then the row centres; then, per level, 4×randn(147, 128)
// for each Compare, including the reals-against-reals one the original
// runs first (Distance does it: its result is 0 and costs nothing but the
// draws). Collect(A), Compare(A, A), Collect(B), Compare(A, B) on one
// Evaluator reproduces swdref.swd(A, B, seed).
//
// # Precision
//
// The pyramid is computed in float32 with each output pixel summed in
// double, as scipy does; its values and the neighbourhoods match the
// oracle bit for bit (tested). In Numpy mode descriptors are kept in
// float32 and standardised exactly as numpy does it in float32 (its
// reductions are reproduced bit for bit: their rounding errors, up to 1e-5
// of the mean and standard deviation, move a distance between similar sets
// by up to 1e-4); the projections are float32 dot products summed in
// another order than BLAS, and the absolute differences are summed in
// float64. Numpy-mode results match the oracle within 3e-7 relative on
// every level (1024 images of 128², reals against perturbed fakes and
// against other reals; the tests require 1e-5).
//
// The default mode stores band-pass descriptors as half floats (relative
// rounding error 2^-11) and the low-pass level as 16-bit fixed point
// (error 2^-9 on values in [0, 255]), standardised with float64 statistics
// of the unrounded values. With the oracle's draws, that moves results by
// up to 6e-5 relative (1e-4 on the low-pass level of a noise-floor
// comparison, which numpy's float32 statistics move as much): nothing
// beside the seed-to-seed spread.
//
// # Memory
//
// Descriptors are the only memory that grows with the sets: per set,
// images × 128 × 147 values of 2 bytes per level (4 bytes in Numpy mode),
// allocated in chunks of 256 images, outside the Go heap on Linux (so that
// they do not raise the garbage collector's target, which would let the
// garbage of decoded images grow as large). They are freed by
// Descriptors.Release, or once unreachable when a collection notices.
// Compare adds the projections of both
// sets for a block of directions, 8 bytes per descriptor and direction:
// 128 directions while that stays within 256 MiB, else 66, else 36
// (288 bytes per descriptor, 36 KiB per image); and per worker two sort
// buffers of 4 bytes per descriptor and 0.5 MiB of counts. Numpy mode's
// exact statistics take 12 bytes per descriptor for a moment. Collect
// holds a few images per worker (a Numpy-mode minibatch at most: 25 MB at
// 1024²) and one pyramid per worker (6 MB at 1024²). Measured peaks, less
// the test's images, are 10-20% above these terms (Go heap and runtime):
// 1024 images of 128² per set, 0.52 GB in the default mode, 0.84 GB in
// Numpy mode; 4096 images, 1.7 and 2.9 GB.
//
// The full protocol, 16384 images of 1024² (7 levels) per set:
// descriptors 16384·128·147·2·7 B = 4.3 GB per set, 8.6 GB for reals and
// fakes, plus 0.6 GB of projections and 35 MB of sort buffers: about
// 9.3 GB in the default mode. Numpy mode doubles the descriptors: about
// 17.9 GB.
//
// # Speed
//
// Every core is used throughout: images are described in parallel
// (internal/parallel), and Compare splits the projections by descriptors
// and the sorts by direction. On amd64 with AVX2, FMA and F16C (checked at
// start-up; other machines use portable Go code with the same results up
// to float32 summation order):
//
//   - the projections, M×147 by 147×512 per level and set, run in an
//     assembly kernel (6 directions × 16 descriptors per tile, half floats
//     or int16 widened on the fly); it writes sort keys (float bits with
//     the order of the floats) directly;
//   - the sorts are LSD radix sorts of the keys, two 16-bit digits from
//     2^16 values (three of 11 bits below), parallel over directions; the
//     second set's last pass adds up the absolute differences against the
//     first set's sorted values instead of storing its own;
//   - the pyramid's first blur works on bytes in 16-bit integer vectors
//     (exact), the rest in float64 as above; band-pass levels above 256²
//     are evaluated only at the neighbourhoods' pixels.
//
// Timings against the oracle are in the README's Measured section
// (measure_test.go and testdata/time_oracle.py take them).
package swd
