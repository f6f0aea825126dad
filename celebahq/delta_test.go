package celebahq

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// mini is the copy of the celebahq-mini oracle fixture (see its README).
var mini = filepath.Join("testdata", "celebahq-mini")

// fixtureCase is the part of cases.json these tests use.
type fixtureCase struct {
	Case         string
	Idx          int
	OrigIdx      int    `json:"orig_idx"`
	OrigFile     string `json:"orig_file"`
	JPEGMD5      string `json:"jpeg_md5"`
	Landmarks    [10]int
	ProcMD5      string `json:"proc_md5"`
	FinalMD5     string `json:"final_md5"`
	DeltaMD5CHW  string `json:"delta_md5_chw"`
	DeltaNonzero int    `json:"delta_nonzero"`
	Zip          string
	ZipMember    string `json:"zip_member"`
}

var loadCases = sync.OnceValues(func() ([]fixtureCase, error) {
	b, err := os.ReadFile(filepath.Join(mini, "cases.json"))
	if err != nil {
		return nil, err
	}
	var cs []fixtureCase
	return cs, json.Unmarshal(b, &cs)
})

func cases(t testing.TB) []fixtureCase {
	t.Helper()
	cs, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	return cs
}

func readJPEG(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mini, "img_celeba", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every delta of the fixture decrypts, with its JPEG, to the recorded md5.
func TestDeltaFixture(t *testing.T) {
	d, err := OpenDeltas(filepath.Join(mini, "deltas"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, c := range cases(t) {
		t.Run(c.Case, func(t *testing.T) {
			t.Parallel()
			if ZipName(c.Idx) != c.Zip || MemberName(c.Idx) != c.ZipMember {
				t.Errorf("idx %d: %s/%s, cases.json says %s/%s", c.Idx, ZipName(c.Idx), MemberName(c.Idx), c.Zip, c.ZipMember)
			}
			jpeg := readJPEG(t, c.OrigFile)
			if got := md5hex(jpeg); got != c.JPEGMD5 {
				t.Fatalf("%s: md5 %s, want %s", c.OrigFile, got, c.JPEGMD5)
			}
			token, err := d.Read(c.Idx)
			if err != nil {
				t.Fatal(err)
			}
			delta, err := Delta(jpeg, c.OrigFile, token)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5hex(delta); got != c.DeltaMD5CHW {
				t.Errorf("idx %d: delta md5 %s, want %s", c.Idx, got, c.DeltaMD5CHW)
			}
			nz := 0
			for _, v := range delta {
				if v != 0 {
					nz++
				}
			}
			if nz != c.DeltaNonzero {
				t.Errorf("idx %d: %d non-zero delta bytes, want %d", c.Idx, nz, c.DeltaNonzero)
			}
		})
	}
}

func TestDeltaWrongJPEG(t *testing.T) {
	cs := cases(t)
	c, other := cs[0], cs[1]
	token, err := ReadDelta(filepath.Join(mini, "deltas"), c.Idx)
	if err != nil {
		t.Fatal(err)
	}
	jpeg := readJPEG(t, c.OrigFile)
	flipped := bytes.Clone(jpeg)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name     string
		jpeg     []byte
		origFile string
	}{
		{"another image", readJPEG(t, other.OrigFile), c.OrigFile},
		{"one bit changed", flipped, c.OrigFile},
		{"wrong salt", jpeg, other.OrigFile},
		{"truncated", jpeg[:len(jpeg)-1], c.OrigFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Delta(tt.jpeg, tt.origFile, token)
			if !errors.Is(err, ErrDeltaMismatch) {
				t.Fatalf("error %v, want ErrDeltaMismatch", err)
			}
			for _, want := range []string{tt.origFile, "HMAC check failed", "differs from the original CelebA file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// The token's own damage: every check before and including the HMAC.
func TestDeltaCorruptToken(t *testing.T) {
	c := cases(t)[2]
	token, err := ReadDelta(filepath.Join(mini, "deltas"), c.Idx)
	if err != nil {
		t.Fatal(err)
	}
	jpeg := readJPEG(t, c.OrigFile)
	flip := func(i int) []byte { // change one base64 digit, keeping the alphabet
		b := bytes.Clone(token)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return b
	}
	wrapped := []byte(" \n")
	for i := 0; i < len(token); i += 76 {
		wrapped = append(wrapped, token[i:min(i+76, len(token))]...)
		wrapped = append(wrapped, '\r', '\n')
	}
	tests := []struct {
		name  string
		token []byte
		want  string // "" means success
	}{
		{"as stored", token, ""},
		{"line-wrapped with CRLF and leading blanks", wrapped, ""},
		{"trailing newline", append(bytes.Clone(token), '\n'), ""},
		{"ciphertext byte", flip(len(token) / 2), "HMAC check failed"},
		{"iv byte", flip(20), "HMAC check failed"},
		{"mac byte", flip(len(token) - 10), "HMAC check failed"},
		{"version byte", append([]byte("AA"), token[2:]...), "version byte 0x00"},
		{"not base64", append([]byte("*"), token[1:]...), "not urlsafe base64"},
		{"truncated", token[:len(token)-4], "HMAC check failed"},
		{"cut to the header", token[:40], "too short"},
		{"empty", nil, "empty token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			delta, err := Delta(jpeg, c.OrigFile, tt.token)
			if tt.want == "" {
				if err != nil || md5hex(delta) != c.DeltaMD5CHW {
					t.Fatalf("error %v (delta md5 %s, want %s)", err, md5hex(delta), c.DeltaMD5CHW)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// bzip2 streams (Go has no bzip2 writer), made with
// /usr/bin/python3 -c "import bz2; print(bz2.compress(bytes(N), 9).hex())"
// for N = 100, 3145728 and 3145729.
var (
	bz2Zeros100      = mustHex("425a68393141592653595363119900000041004000400020002100828317724538509053631199")
	bz2ZerosDelta    = mustHex("425a683931415926535963f24e9e0018185000c00000040008200030cc0529a60a02d8850178bb9229c284831f9274f0")
	bz2ZerosDeltaAnd = mustHex("425a6839314159265359e25f3e050018185000c00000020008200030cc0529a60a02d8850178bb9229c2848712f9f028")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// fernet builds a token as cryptography's Fernet.encrypt does, but with a
// chosen (possibly invalid) padded plaintext.
func fernet(key, padded []byte) []byte {
	iv := bytes.Repeat([]byte{7}, aes.BlockSize)
	block, err := aes.NewCipher(key[16:])
	if err != nil {
		panic(err)
	}
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	data := append([]byte{0x80, 0, 0, 0, 0, 0x65, 0x43, 0x21, 0}, iv...)
	data = append(data, ct...)
	h := hmac.New(sha256.New, key[:16])
	h.Write(data)
	data = h.Sum(data)
	return []byte(base64.URLEncoding.EncodeToString(data))
}

func pkcs7(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(bytes.Clone(b), bytes.Repeat([]byte{byte(n)}, n)...)
}

// Tokens with a valid HMAC whose content is wrong.
func TestDeltaContent(t *testing.T) {
	jpeg, name := []byte("not really a JPEG"), "000001.jpg"
	key, err := deltaKey(jpeg, name)
	if err != nil {
		t.Fatal(err)
	}
	badPad := pkcs7(bz2Zeros100)
	badPad[len(badPad)-2] ^= 1
	if badPad[len(badPad)-1] == 1 { // a single pad byte would still be valid
		t.Fatal("test data: want a padding longer than one byte")
	}
	tests := []struct {
		name   string
		padded []byte
		want   string
	}{
		{"zeros", pkcs7(bz2ZerosDelta), ""},
		{"pad byte", badPad, "bad PKCS#7 padding"},
		{"pad zero", append(bytes.Clone(bz2Zeros100[:32]), make([]byte, 16)...), "bad PKCS#7 padding"},
		{"not bzip2", pkcs7([]byte("hello, world")), "bzip2"},
		{"short delta", pkcs7(bz2Zeros100), "decompresses to 100 bytes"},
		{"long delta", pkcs7(bz2ZerosDeltaAnd), "decompresses to more than 3145728 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delta, err := Delta(jpeg, name, fernet(key, tt.padded))
			if tt.want == "" {
				if err != nil || !bytes.Equal(delta, make([]byte, DeltaSize)) {
					t.Fatalf("error %v, or the delta is not %d zeros", err, DeltaSize)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A ciphertext that is not whole blocks, behind a valid HMAC.
	data, _ := base64.URLEncoding.DecodeString(string(fernet(key, pkcs7(bz2Zeros100))))
	data = append(data[:len(data)-32], 1, 2, 3)
	h := hmac.New(sha256.New, key[:16])
	h.Write(data)
	tok := base64.URLEncoding.EncodeToString(h.Sum(data))
	if _, err := Delta(jpeg, name, []byte(tok)); err == nil || !strings.Contains(err.Error(), "multiple of 16") {
		t.Errorf("ragged ciphertext: error %v", err)
	}
}

func TestApplyDelta(t *testing.T) {
	proc := []byte{0, 1, 200, 255, 128}
	delta := []byte{0, 255, 100, 1, 128}
	if err := ApplyDelta(proc, delta); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 44, 0, 0}; !bytes.Equal(proc, want) {
		t.Errorf("ApplyDelta = %v, want %v", proc, want)
	}
	if err := ApplyDelta(make([]byte, 3), make([]byte, 4)); err == nil {
		t.Error("ApplyDelta with different sizes: no error")
	}
}

func TestReadDeltaErrors(t *testing.T) {
	dir := filepath.Join(mini, "deltas")
	good, err := os.ReadFile(filepath.Join(dir, "deltas07000.zip"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	truncated := write("deltas07000.zip", good[:len(good)/2]) // no central directory
	damaged := bytes.Clone(good)
	i := bytes.Index(damaged, []byte("gAAAAA")) // the first stored token
	damaged[i+100] ^= 0x20                      // no longer matches its CRC-32
	damagedDir := write("deltas07000.zip", damaged)
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		name string
		dir  string
		idx  int
		want []string
	}{
		{"missing zip", dir, 2345, []string{"missing deltas02000.zip", "idx 2345"}},
		{"missing member", dir, 7001, []string{"deltas07000.zip has no member delta07001.dat"}},
		{"idx too large", dir, 30000, []string{"outside 0…29999"}},
		{"idx negative", dir, -1, []string{"outside"}},
		{"truncated zip", truncated, 7000, []string{"deltas07000.zip is damaged or truncated"}},
		{"damaged member", damagedDir, 7000, []string{"deltas07000.zip", "delta07000.dat", "damaged", "checksum"}},
		{"missing folder", missing, 0, []string{"delta folder", "nope"}},
		{"folder is a file", filepath.Join(dir, "image_list.txt"), 0, []string{"not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadDelta(tt.dir, tt.idx)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// Deltas may be read from several goroutines at once.
func TestDeltasConcurrent(t *testing.T) {
	d, err := OpenDeltas(filepath.Join(mini, "deltas"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{}
	for _, c := range cases(t) {
		b, err := ReadDelta(filepath.Join(mini, "deltas"), c.Idx)
		if err != nil {
			t.Fatal(err)
		}
		want[c.Idx] = md5hex(b)
	}
	var wg sync.WaitGroup
	for range 8 {
		for idx, w := range want {
			wg.Go(func() {
				b, err := d.Read(idx)
				if err != nil || md5hex(b) != w {
					t.Errorf("idx %d: %v, md5 %s want %s", idx, err, md5hex(b), w)
				}
			})
		}
	}
	wg.Wait()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkDeltaKey is the per-image cost of the key derivation
// (PBKDF2-HMAC-SHA256, 100000 iterations) on a 93 KB JPEG.
func BenchmarkDeltaKey(b *testing.B) {
	jpeg := readJPEG(b, "000058.jpg")
	for b.Loop() {
		if _, err := deltaKey(jpeg, "000058.jpg"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDelta is a whole delta: key, HMAC, AES, bzip2.
func BenchmarkDelta(b *testing.B) {
	jpeg := readJPEG(b, "000058.jpg")
	token, err := ReadDelta(filepath.Join(mini, "deltas"), 7000)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Delta(jpeg, "000058.jpg", token); err != nil {
			b.Fatal(err)
		}
	}
}

// Decrypt the delta of one CelebA-HQ image with its original CelebA JPEG.
func ExampleDelta() {
	dir := filepath.Join("testdata", "celebahq-mini")
	list, err := ReadImageList(filepath.Join(dir, "deltas", "image_list.txt"))
	if err != nil {
		panic(err)
	}
	row, err := list.Row(7000)
	if err != nil {
		panic(err)
	}
	jpeg, err := os.ReadFile(filepath.Join(dir, "img_celeba", row.OrigFile))
	if err != nil {
		panic(err)
	}
	token, err := ReadDelta(filepath.Join(dir, "deltas"), row.Idx)
	if err != nil {
		panic(err)
	}
	delta, err := Delta(jpeg, row.OrigFile, token)
	if err != nil {
		panic(err)
	}
	fmt.Printf("idx %d (%s): %d bytes, md5 %x\n", row.Idx, row.OrigFile, len(delta), md5.Sum(delta))

	// With any other file the HMAC check fails.
	other, _ := os.ReadFile(filepath.Join(dir, "img_celeba", "000010.jpg"))
	_, err = Delta(other, row.OrigFile, token)
	fmt.Println(err)
	// Output:
	// idx 7000 (000058.jpg): 3145728 bytes, md5 9a37cbe594124128ef547472f6c3a951
	// celebahq: delta for 000058.jpg: delta does not match this JPEG (HMAC check failed; the JPEG differs from the original CelebA file)
}

// decodeToken must never panic; what it accepts has the length of the
// input minus whitespace once re-encoded (Python's decoder, like Go's, also
// ignores non-zero bits in the last digit) and decodes back to itself.
func FuzzDecodeToken(f *testing.F) {
	f.Add([]byte("gAAAAABrBB3_gQ==\n"))
	f.Add([]byte(" a b\tc\r\nd"))
	f.Fuzz(func(t *testing.T, token []byte) {
		data, err := decodeToken(token)
		if err != nil {
			return
		}
		clean := strings.Join(strings.Fields(string(token)), "")
		enc := base64.URLEncoding.EncodeToString(data)
		again, err := decodeToken([]byte(enc))
		if len(enc) != len(clean) || err != nil || !bytes.Equal(again, data) {
			t.Fatalf("%q decodes to %x, which encodes to %q and decodes to %x, %v", token, data, enc, again, err)
		}
	})
}
