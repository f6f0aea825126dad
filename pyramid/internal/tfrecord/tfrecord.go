// Package tfrecord reads and writes TensorFlow's TFRecord framing and the
// tf.train.Example messages the Progressive GAN dataset tool stores in it.
//
// A TFRecord file is a sequence of frames, each
//
//	uint64 length | uint32 masked CRC32C(length) | payload | uint32 masked CRC32C(payload)
//
// in little-endian order, where masked(c) = ((c>>15)|(c<<17)) + 0xa282ead8 and
// CRC32C uses the Castagnoli polynomial (docs/dataset-format.md).
// Compressed files (TFRecordOptions GZIP or ZLIB) hold the same frames inside
// one gzip or zlib stream.
package tfrecord

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// HeaderLen and FooterLen are the framing bytes around each payload.
const (
	HeaderLen = 12
	FooterLen = 4
)

// ErrCorrupt reports a frame whose length or payload fails its checksum.
var ErrCorrupt = errors.New("tfrecord: checksum mismatch")

// ErrCorruptPayload is the ErrCorrupt of a frame whose length was sound but
// whose payload fails its checksum: the reader has moved past the frame, so
// a caller may report it and read on.
var ErrCorruptPayload = fmt.Errorf("%w in payload", ErrCorrupt)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC returns TensorFlow's masked CRC32C of b.
func MaskedCRC(b []byte) uint32 {
	return mask(crc32.Checksum(b, castagnoli))
}

// mask applies TensorFlow's mask to a CRC32C (Castagnoli) checksum.
func mask(c uint32) uint32 {
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// PutHeader writes the header of a frame whose payload is n bytes long
// into hdr[:HeaderLen].
func PutHeader(hdr []byte, n int) {
	binary.LittleEndian.PutUint64(hdr[:8], uint64(n))
	binary.LittleEndian.PutUint32(hdr[8:HeaderLen], MaskedCRC(hdr[:8]))
}

// AppendFooter appends the footer of a frame whose payload is the
// concatenation of pieces, which may alias dst: a writer can then frame a
// payload it holds in several places without copying it together.
func AppendFooter(dst []byte, pieces ...[]byte) []byte {
	var crc uint32
	for _, p := range pieces {
		crc = crc32.Update(crc, castagnoli, p)
	}
	return binary.LittleEndian.AppendUint32(dst, mask(crc))
}

// AppendFrame appends payload to dst framed as one TFRecord.
func AppendFrame(dst, payload []byte) []byte {
	var hdr [HeaderLen]byte
	PutHeader(hdr[:], len(payload))
	dst = append(dst, hdr[:]...)
	dst = append(dst, payload...)
	return AppendFooter(dst, payload)
}

// ValidHeader reports whether b starts with a TFRecord length header whose
// checksum holds. It tells an uncompressed file from a compressed one: a
// gzip or zlib stream passes by chance with probability 2⁻³².
func ValidHeader(b []byte) bool {
	if len(b) < HeaderLen {
		return false
	}
	return binary.LittleEndian.Uint32(b[8:12]) == MaskedCRC(b[:8])
}

// Reader reads frames one at a time from an uncompressed stream.
type Reader struct {
	r      *bufio.Reader
	off    int64 // offset of the next frame
	buf    []byte
	maxLen uint64
}

// NewReader returns a Reader of r. Frames longer than maxLen bytes are
// reported as corrupt rather than allocated; maxLen 0 means 1 GiB.
func NewReader(r io.Reader, maxLen uint64) *Reader {
	if maxLen == 0 {
		maxLen = 1 << 30
	}
	return &Reader{r: bufio.NewReaderSize(r, 1<<20), maxLen: maxLen}
}

// Offset returns the byte offset, in the uncompressed stream, of the frame
// the next call to Next will read.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next payload. The slice is valid until the following
// call. At the clean end of the stream it returns io.EOF; a stream cut
// inside a frame gives io.ErrUnexpectedEOF.
func (r *Reader) Next() ([]byte, error) {
	var hdr [HeaderLen]byte
	n, err := io.ReadFull(r.r, hdr[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("tfrecord: frame at offset %d: header: %w", r.off, unexpected(err, n))
	}
	if !ValidHeader(hdr[:]) {
		return nil, fmt.Errorf("tfrecord: frame at offset %d: length: %w", r.off, ErrCorrupt)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if length > r.maxLen {
		return nil, fmt.Errorf("tfrecord: frame at offset %d: length %d exceeds limit %d", r.off, length, r.maxLen)
	}
	need := int(length) + FooterLen
	if cap(r.buf) < need {
		r.buf = make([]byte, need)
	}
	r.buf = r.buf[:need]
	if n, err := io.ReadFull(r.r, r.buf); err != nil {
		return nil, fmt.Errorf("tfrecord: frame at offset %d: payload: %w", r.off, unexpected(err, n))
	}
	payload := r.buf[:length]
	off := r.off
	r.off += int64(HeaderLen + need)
	if binary.LittleEndian.Uint32(r.buf[length:]) != MaskedCRC(payload) {
		return nil, fmt.Errorf("tfrecord: frame at offset %d: %w", off, ErrCorruptPayload)
	}
	return payload, nil
}

// Skip advances over the next frame, checking only its length header, and
// returns the payload length. It is how an index is built by one scan
// without reading payloads when the underlying reader can seek.
func (r *Reader) Skip() (int, error) {
	var hdr [HeaderLen]byte
	n, err := io.ReadFull(r.r, hdr[:])
	if err == io.EOF {
		return 0, io.EOF
	}
	if err != nil {
		return 0, fmt.Errorf("tfrecord: frame at offset %d: header: %w", r.off, unexpected(err, n))
	}
	if !ValidHeader(hdr[:]) {
		return 0, fmt.Errorf("tfrecord: frame at offset %d: length: %w", r.off, ErrCorrupt)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if length > r.maxLen {
		return 0, fmt.Errorf("tfrecord: frame at offset %d: length %d exceeds limit %d", r.off, length, r.maxLen)
	}
	skip := int64(length) + FooterLen
	if d, err := r.r.Discard(int(skip)); err != nil {
		return 0, fmt.Errorf("tfrecord: frame at offset %d: payload: %w", r.off, unexpected(err, d))
	}
	r.off += HeaderLen + skip
	return int(length), nil
}

func unexpected(err error, n int) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
