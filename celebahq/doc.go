// Package celebahq builds CelebA-HQ from raw CelebA the way the original
// Progressive GAN dataset_tool.py create_celebahq does, bit-exact with the
// original (reference/progan-original.md §3): the in-the-wild CelebA
// JPEGs and their landmarks are cropped, resampled and padded to 1024×1024,
// and the published CelebA-HQ deltas, encrypted with a key derived from
// each original JPEG file, are added to give the final images.
//
// This file set covers the inputs and the delta step:
//
//   - [ReadLandmarks] parses Anno/list_landmarks_celeba.txt and
//     [ReadImageList] the deltas' image_list.txt (§3.1);
//   - [ReadDelta] and [Deltas] read delta%05d.dat members from the
//     deltas%05d.zip archives, [Delta] decrypts one (PBKDF2-HMAC-SHA256 of
//     the JPEG file bytes, Fernet: HMAC-SHA256 then AES-128-CBC, then
//     bzip2) and [ApplyDelta] adds it to the processed image (§3.4).
package celebahq
