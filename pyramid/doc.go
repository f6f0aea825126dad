// Package pyramid holds the multi-resolution dataset of the Progressive GAN
// paper: one TFRecord file per resolution, from full size down to 4×4,
// record i of every file being image i. It follows the original
// dataset_tool.py's TFRecordExporter and dataset.TFRecordDataset
// (docs/dataset-format.md) so that the original TensorFlow reader
// loads what Writer writes, and Open reads what the original wrote.
//
// On disk, in a folder whose base name is name:
//
//	name-rNN.tfrecords  tier of resolution 2^NN: tf.train.Example records with
//	                    "shape" = int64 [C, H, W] and "data" = raw CHW bytes
//	name-rxx.labels     optional labels, float32 [N, L] in numpy's .npy format
//	progan-index.bin    record offsets of every uncompressed tier
//	progan-manifest.json images, resolution, channels, label size, order,
//	                    seed, tool version, every file's size and SHA-256
//
// The last two are this package's; datasets of the original tool have
// neither, and Open finds their tiers as the original reader does and
// indexes them by one scan of the frame headers.
//
// Lower tiers are the exporter's 2×2 box cascade quantised by round half to
// even, computed exactly (see cascade.go). Writer encodes on every core and
// writes in input order; its output appears at the destination only when
// complete (written into a hidden partial folder, then renamed). Writers of
// datasets, zips and extracted folders lock their output
// (internal/lockfile), so that two processes never write one.
//
// Pack packs any Source (a folder of images, MNIST, CIFAR-10/100, SVHN,
// LSUN, aligned CelebA, CelebA-HQ: see the packages folder, mnist, cifar,
// lsun, celeba and celebahq) into a dataset: it creates the dataset or
// resumes an interrupted run whose fingerprint matches, skips unreadable
// inputs and lists them when asked to keep going, and stops with a
// checkpoint when its context is cancelled. ShuffleOrder is the
// original's shuffled order.
//
// Tiers may be compressed as TensorFlow's TFRecordOptions compress them,
// one gzip or zlib stream per file. Gzip uses github.com/klauspost/pgzip,
// which compresses blocks on all cores into one standard gzip member (the
// standard library's single-threaded deflate was 2.7 times slower on 1024²
// images); zlib uses github.com/klauspost/compress, faster than the
// standard library at the same level. Compressed tiers are read as streams
// only: random access needs an uncompressed tier.
package pyramid
