// Package celebahq builds CelebA-HQ from raw CelebA the way the original
// Progressive GAN dataset_tool.py create_celebahq does, bit-exact with the
// original: the in-the-wild CelebA JPEGs are decoded as libjpeg 8d decodes
// them, cut around their landmarks, resampled and padded to 1024×1024 as
// Pillow 3.1.1 and numpy/scipy did, and the published CelebA-HQ deltas,
// encrypted with a key derived from each original JPEG file, are added to
// give the final images. Every step, its constants and its exact
// arithmetic are described in docs/celebahq.md.
//
// The package has four parts:
//
//   - lists: [ReadLandmarks] parses Anno/list_landmarks_celeba.txt into
//     [Landmarks] (row i is orig_idx i, file [OrigFile] of i), and
//     [ReadImageList] the deltas' image_list.txt into an [ImageList] of
//     idx, orig_idx, orig_file, proc_md5 and final_md5, found by idx
//     ([ImageList.Row]), so that partial lists work;
//   - the plan: [NewPlan] computes an image's geometry from its landmarks
//     and size with the original's numpy types (float32 vectors and quad,
//     float64 zoom): the crop quad, shrink, crop box, super-resolution
//     factor and pad branch, refusing implausible landmarks before any
//     image is decoded;
//   - processing: [Process] runs the plan on a decoded image (Pillow 3.1.1
//     ANTIALIAS resizes, the numpy/scipy pad and blur of celebahq/internal/ndfilter,
//     the QUAD warp to 4096×4096, the final resize to 1024×1024) and
//     returns the CHW bytes whose md5 is proc_md5;
//   - deltas: [ReadDelta] and [Deltas] read the delta%05d.dat members of
//     the deltas%05d.zip archives ([ZipName], [MemberName]), [Delta]
//     decrypts one (PBKDF2-HMAC-SHA256 of the JPEG file bytes salted with
//     its name, Fernet: HMAC-SHA256 then AES-128-CBC, then bzip2) and
//     [ApplyDelta] adds it modulo 256, giving the image whose md5 is
//     final_md5.
//
// The builder ties them together: [NewJob] reads the lists, checks the
// inputs as the original does (a partial set becomes a note, not an
// error) and fixes the output order, the original's RandomState(123)
// shuffle of the 30 000 idx; [Job.CheckDecoder] runs the original's
// decoder gate on the real 000001.jpg when it is there; [Job.Images] makes
// the images on several goroutines and yields them in order, each checked
// against both md5s, a failure reported as an [ImageError] naming the
// image and the stage.
package celebahq
