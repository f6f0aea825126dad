package celebahq

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/progan/progan/internal/imagefile"
)

// DeltaSize is the size of a decrypted delta: a 3×1024×1024 uint8 array in
// CHW order.
const DeltaSize = 3 * 1024 * 1024

// KeyIterations is the PBKDF2 iteration count of the delta key.
const KeyIterations = 100000

// ErrDeltaMismatch is returned (wrapped) by [Delta] when the token's HMAC
// does not verify: the JPEG bytes (or the file name) differ from the
// original CelebA file the delta was made for. This is the original's
// cryptography.fernet.InvalidToken.
var ErrDeltaMismatch = errors.New("delta does not match this JPEG (HMAC check failed; the JPEG differs from the original CelebA file)")

// maxToken bounds the size of a delta member we are willing to read; real
// ones are a few hundred KB.
const maxToken = 64 << 20

// deltaKey returns the 32-byte Fernet key of the original:
// PBKDF2-HMAC-SHA256(password = the JPEG file bytes, salt = the file name
// in ASCII, 100000 iterations). The first 16 bytes sign, the last 16
// encrypt (Fernet's key is their urlsafe base64, decoded again by Fernet).
func deltaKey(jpeg []byte, origFile string) ([]byte, error) {
	return pbkdf2.Key(sha256.New, string(jpeg), []byte(origFile), KeyIterations, 32)
}

// Delta decrypts a delta token (the content of a delta%05d.dat member)
// with the original CelebA JPEG file bytes jpeg and its name origFile
// (e.g. "000058.jpg"), and returns the DeltaSize bytes of the CHW delta.
//
// The token is urlsafe base64 (surrounding or embedded ASCII whitespace is
// ignored) of 0x80 ‖ 8-byte timestamp ‖ 16-byte IV ‖ AES-128-CBC
// ciphertext ‖ HMAC-SHA256. The version byte and the HMAC are checked
// first (in constant time; a failure wraps [ErrDeltaMismatch]), then the
// ciphertext is decrypted, its PKCS#7 padding checked and removed, and the
// plaintext bzip2-decompressed. The timestamp is ignored, as the original
// sets no TTL.
func Delta(jpeg []byte, origFile string, token []byte) ([]byte, error) {
	data, err := decodeToken(token)
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta for %s: %w", origFile, err)
	}
	if len(data) == 0 || data[0] != 0x80 {
		return nil, fmt.Errorf("celebahq: delta for %s: not a Fernet token (version byte %s, want 0x80)", origFile, versionByte(data))
	}
	const headerLen, macLen = 1 + 8 + aes.BlockSize, sha256.Size
	if len(data) < headerLen+macLen {
		return nil, fmt.Errorf("celebahq: delta for %s: Fernet token of %d bytes is too short (at least %d)", origFile, len(data), headerLen+macLen)
	}
	key, err := deltaKey(jpeg, origFile)
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta for %s: key derivation: %w", origFile, err)
	}
	signed, mac := data[:len(data)-macLen], data[len(data)-macLen:]
	h := hmac.New(sha256.New, key[:16])
	h.Write(signed)
	if !hmac.Equal(h.Sum(nil), mac) {
		return nil, fmt.Errorf("celebahq: delta for %s: %w", origFile, ErrDeltaMismatch)
	}
	iv, ct := signed[9:headerLen], signed[headerLen:]
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("celebahq: delta for %s: ciphertext of %d bytes is not a positive multiple of %d", origFile, len(ct), aes.BlockSize)
	}
	block, err := aes.NewCipher(key[16:])
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta for %s: %w", origFile, err)
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ct)
	n := int(plain[len(plain)-1])
	if n == 0 || n > aes.BlockSize || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, fmt.Errorf("celebahq: delta for %s: bad PKCS#7 padding after decryption", origFile)
	}
	plain = plain[:len(plain)-n]
	delta, err := io.ReadAll(io.LimitReader(bzip2.NewReader(bytes.NewReader(plain)), DeltaSize+1))
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta for %s: bzip2: %w", origFile, err)
	}
	if len(delta) != DeltaSize {
		return nil, fmt.Errorf("celebahq: delta for %s: decompresses to %s bytes, want %d (3×1024×1024)", origFile, sizeString(len(delta)), DeltaSize)
	}
	return delta, nil
}

func versionByte(data []byte) string {
	if len(data) == 0 {
		return "missing: empty token"
	}
	return fmt.Sprintf("%#02x", data[0])
}

func sizeString(n int) string {
	if n > DeltaSize {
		return fmt.Sprintf("more than %d", DeltaSize)
	}
	return fmt.Sprint(n)
}

// decodeToken undoes the token's urlsafe base64, skipping ASCII whitespace.
func decodeToken(token []byte) ([]byte, error) {
	clean := make([]byte, 0, len(token))
	for _, c := range token {
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			clean = append(clean, c)
		}
	}
	data := make([]byte, base64.URLEncoding.DecodedLen(len(clean)))
	n, err := base64.URLEncoding.Decode(data, clean)
	if err != nil {
		return nil, fmt.Errorf("token is not urlsafe base64: %w", err)
	}
	return data[:n], nil
}

// ApplyDelta adds delta to the processed CHW image proc in place, modulo
// 256 (the original's uint8 img + delta).
func ApplyDelta(proc, delta []byte) error {
	if len(proc) != len(delta) {
		return fmt.Errorf("celebahq: image of %d bytes and delta of %d bytes differ in size", len(proc), len(delta))
	}
	for i, d := range delta {
		proc[i] += d
	}
	return nil
}

// ZipName is the archive holding idx's delta: deltas%05d.zip of
// idx − idx%1000.
func ZipName(idx int) string { return fmt.Sprintf("deltas%05d.zip", idx-idx%1000) }

// MemberName is the zip member holding idx's delta: delta%05d.dat.
func MemberName(idx int) string { return fmt.Sprintf("delta%05d.dat", idx) }

// ReadDelta reads the encrypted delta token of idx from dir, the delta
// folder (celeba-hq-deltas), opening and closing its zip.
func ReadDelta(dir string, idx int) ([]byte, error) {
	d, err := OpenDeltas(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Read(idx)
}

// Deltas reads delta tokens from a delta folder, keeping each zip open
// after first use. It is safe for concurrent use.
type Deltas struct {
	dir  string
	mu   sync.Mutex
	zips map[string]*deltaZip
}

// deltaZip is an open delta archive.
type deltaZip struct {
	*zip.Reader
	f *os.File
}

// OpenDeltas returns a reader of the delta folder dir. Zips are opened on
// demand; call Close when done.
func OpenDeltas(dir string) (*Deltas, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("celebahq: delta folder %s is not a directory", dir)
	}
	return &Deltas{dir: dir, zips: make(map[string]*deltaZip)}, nil
}

// Read returns the encrypted delta token of idx: member delta%05d.dat of
// deltas%05d.zip (idx − idx%1000).
func (d *Deltas) Read(idx int) ([]byte, error) {
	if idx < 0 || idx >= Images {
		return nil, fmt.Errorf("celebahq: delta idx %d is outside 0…%d", idx, Images-1)
	}
	zr, err := d.zip(ZipName(idx))
	if err != nil {
		return nil, fmt.Errorf("celebahq: delta of idx %d: %w", idx, err)
	}
	path := filepath.Join(d.dir, ZipName(idx))
	member := MemberName(idx)
	for _, f := range zr.File {
		if f.Name != member {
			continue
		}
		if f.UncompressedSize64 > maxToken {
			return nil, fmt.Errorf("celebahq: %s: %s is %d bytes, not a delta token", path, member, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("celebahq: %s: %s: %w", path, member, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("celebahq: %s: reading %s (damaged or truncated zip?): %w", path, member, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("celebahq: %s has no member %s (the delta of idx %d)", path, member, idx)
}

// zip returns the open archive name, opening it on first use. Only a
// regular file is opened: a named pipe would block the build.
func (d *Deltas) zip(name string) (*deltaZip, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if zr, ok := d.zips[name]; ok {
		return zr, nil
	}
	path := filepath.Join(d.dir, name)
	f, st, err := imagefile.OpenRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("missing %s in the delta folder %s", name, d.dir)
	}
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		if errors.Is(err, zip.ErrFormat) {
			return nil, fmt.Errorf("%s is damaged or truncated: %w", path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.zips[name] = &deltaZip{zr, f}
	return d.zips[name], nil
}

// Close closes the zips opened so far.
func (d *Deltas) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for name, zr := range d.zips {
		errs = append(errs, zr.f.Close())
		delete(d.zips, name)
	}
	return errors.Join(errs...)
}
