package celebahq

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/progan/progan/internal/imagefile"
)

// Images is the number of CelebA-HQ images; idx runs over 0 … Images−1.
const Images = 30000

// CelebAImages is the number of in-the-wild CelebA images, and of lines in
// the complete list_landmarks_celeba.txt.
const CelebAImages = 202599

// LandmarkNames is the header line of list_landmarks_celeba.txt.
var LandmarkNames = [10]string{
	"lefteye_x", "lefteye_y", "righteye_x", "righteye_y", "nose_x", "nose_y",
	"leftmouth_x", "leftmouth_y", "rightmouth_x", "rightmouth_y",
}

// Landmark is one image's line of list_landmarks_celeba.txt.
type Landmark struct {
	File string // e.g. "000001.jpg"
	Line int    // 1-based line number in the file
	// Points are (x, y) of the left eye, right eye, nose, left mouth
	// corner and right mouth corner, in pixels of the in-the-wild image.
	Points [5][2]int
}

// Float32 returns the points as the original holds them: float32, shape
// (5, 2).
func (l Landmark) Float32() [5][2]float32 {
	var p [5][2]float32
	for i, xy := range l.Points {
		p[i] = [2]float32{float32(xy[0]), float32(xy[1])}
	}
	return p
}

// Landmarks is a parsed list_landmarks_celeba.txt. Rows[i] is the line of
// the image with orig_idx i, which is named %06d.jpg of i+1; the original
// indexes the landmarks by row.
type Landmarks struct {
	Path string // the file, for messages
	Rows []Landmark
}

// OrigFile is the CelebA file name of orig_idx: %06d.jpg of orig_idx+1.
func OrigFile(origIdx int) string { return fmt.Sprintf("%06d.jpg", origIdx+1) }

// ReadLandmarks parses the landmark list at path (a partial list, with fewer
// than 202599 images, is accepted).
func ReadLandmarks(path string) (*Landmarks, error) {
	f, _, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("celebahq: landmarks: %w", err)
	}
	defer f.Close()
	return ParseLandmarks(f, path)
}

// ParseLandmarks parses a landmark list read from r; name is used in
// errors. Line 1 is the number of images, line 2 the column names, then
// one line per image: its file name and ten integers, separated by runs of
// spaces. Image i (0-based) must be named %06d.jpg of i+1, as in CelebA.
func ParseLandmarks(r io.Reader, name string) (*Landmarks, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	l := &Landmarks{Path: name}
	count, line := -1, 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		switch line {
		case 1:
			if len(fields) != 1 {
				return nil, fmt.Errorf("celebahq: %s:1: want the number of images, got %q", name, sc.Text())
			}
			n, err := strconv.Atoi(fields[0])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("celebahq: %s:1: image count %q is not a non-negative integer", name, fields[0])
			}
			count = n
			l.Rows = make([]Landmark, 0, min(n, CelebAImages))
			continue
		case 2:
			if len(fields) != 10 || [10]string(fields) != LandmarkNames {
				return nil, fmt.Errorf("celebahq: %s:2: header %q, want %q", name, sc.Text(), strings.Join(LandmarkNames[:], " "))
			}
			continue
		}
		if len(fields) == 0 && isLastLine(sc) {
			break
		}
		if len(fields) != 11 {
			return nil, fmt.Errorf("celebahq: %s:%d: %d fields, want a file name and 10 integers", name, line, len(fields))
		}
		i := len(l.Rows)
		if want := OrigFile(i); fields[0] != want {
			return nil, fmt.Errorf("celebahq: %s:%d: image %q, want %s (line %d lists orig_idx %d)", name, line, fields[0], want, line, i)
		}
		lm := Landmark{File: fields[0], Line: line}
		for j, s := range fields[1:] {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("celebahq: %s:%d: %s of %s is %q, not an integer", name, line, LandmarkNames[j], fields[0], s)
			}
			lm.Points[j/2][j%2] = v
		}
		l.Rows = append(l.Rows, lm)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("celebahq: %s: %w", name, err)
	}
	if count < 0 {
		return nil, fmt.Errorf("celebahq: %s: empty file, want a landmark list", name)
	}
	if line < 2 {
		return nil, fmt.Errorf("celebahq: %s: no header line", name)
	}
	if len(l.Rows) != count {
		return nil, fmt.Errorf("celebahq: %s: line 1 announces %d images but %d follow (truncated file?)", name, count, len(l.Rows))
	}
	return l, nil
}

// isLastLine reports whether the scanner has nothing but blank lines left.
func isLastLine(sc *bufio.Scanner) bool {
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			return false
		}
	}
	return true
}

// Lookup returns the landmarks of the image origFile with index origIdx
// (the orig_idx and orig_file columns of image_list.txt).
func (l *Landmarks) Lookup(origIdx int, origFile string) (Landmark, error) {
	if origIdx < 0 || origIdx >= len(l.Rows) {
		return Landmark{}, fmt.Errorf("celebahq: %s has no landmark line for %s (orig_idx %d; the file lists %d images, line %d would be needed)",
			l.Path, origFile, origIdx, len(l.Rows), origIdx+3)
	}
	lm := l.Rows[origIdx]
	if lm.File != origFile {
		return Landmark{}, fmt.Errorf("celebahq: %s:%d lists %s, but orig_idx %d is %s", l.Path, lm.Line, lm.File, origIdx, origFile)
	}
	return lm, nil
}

// ImageListColumns is the header of image_list.txt.
var ImageListColumns = [5]string{"idx", "orig_idx", "orig_file", "proc_md5", "final_md5"}

// ImageListRow is one row of image_list.txt.
type ImageListRow struct {
	Idx      int    // CelebA-HQ index, 0 … 29999
	OrigIdx  int    // CelebA index, 0 … 202598 (landmark row)
	OrigFile string // %06d.jpg of OrigIdx+1
	ProcMD5  string // md5 of the processed 3×1024×1024 image, lowercase hex
	FinalMD5 string // md5 after the delta, lowercase hex
	Line     int    // 1-based line number in the file
}

// ImageList is a parsed image_list.txt. Rows keeps the file's order, which
// for a partial list is not the idx order: use [ImageList.Row].
type ImageList struct {
	Path  string
	Rows  []ImageListRow
	byIdx map[int]int
}

// ReadImageList parses the image list at path (normally
// <delta_dir>/image_list.txt; a partial list is accepted).
func ReadImageList(path string) (*ImageList, error) {
	f, _, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("celebahq: image list: %w", err)
	}
	defer f.Close()
	return ParseImageList(f, path)
}

// ParseImageList parses an image list read from r; name is used in errors.
// The first line must be the header "idx orig_idx orig_file proc_md5
// final_md5"; every row has those five whitespace-separated columns, idx
// unique in 0 … 29999, orig_file the %06d.jpg name of orig_idx+1 and the
// md5s 32 hex digits.
func ParseImageList(r io.Reader, name string) (*ImageList, error) {
	sc := bufio.NewScanner(r)
	l := &ImageList{Path: name, byIdx: make(map[int]int)}
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if line == 1 {
			if len(fields) != 5 || [5]string(fields) != ImageListColumns {
				return nil, fmt.Errorf("celebahq: %s:1: header %q, want %q", name, sc.Text(), strings.Join(ImageListColumns[:], " "))
			}
			continue
		}
		if len(fields) == 0 && isLastLine(sc) {
			break
		}
		if len(fields) != 5 {
			return nil, fmt.Errorf("celebahq: %s:%d: %d columns, want 5 (%s)", name, line, len(fields), strings.Join(ImageListColumns[:], " "))
		}
		row := ImageListRow{OrigFile: fields[2], Line: line}
		var err error
		if row.Idx, err = strconv.Atoi(fields[0]); err != nil || row.Idx < 0 || row.Idx >= Images {
			return nil, fmt.Errorf("celebahq: %s:%d: idx %q is not an integer in 0…%d", name, line, fields[0], Images-1)
		}
		if row.OrigIdx, err = strconv.Atoi(fields[1]); err != nil || row.OrigIdx < 0 || row.OrigIdx >= CelebAImages {
			return nil, fmt.Errorf("celebahq: %s:%d: orig_idx %q is not an integer in 0…%d", name, line, fields[1], CelebAImages-1)
		}
		if want := OrigFile(row.OrigIdx); row.OrigFile != want {
			return nil, fmt.Errorf("celebahq: %s:%d: orig_file %q does not match orig_idx %d (want %s)", name, line, row.OrigFile, row.OrigIdx, want)
		}
		for i, dst := range []*string{&row.ProcMD5, &row.FinalMD5} {
			s := fields[3+i]
			if b, err := hex.DecodeString(s); err != nil || len(b) != 16 {
				return nil, fmt.Errorf("celebahq: %s:%d: %s %q is not 32 hex digits", name, line, ImageListColumns[3+i], s)
			}
			*dst = strings.ToLower(s)
		}
		if prev, dup := l.byIdx[row.Idx]; dup {
			return nil, fmt.Errorf("celebahq: %s:%d: idx %d already listed on line %d", name, line, row.Idx, l.Rows[prev].Line)
		}
		l.byIdx[row.Idx] = len(l.Rows)
		l.Rows = append(l.Rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("celebahq: %s: %w", name, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("celebahq: %s: empty file, want an image list", name)
	}
	return l, nil
}

// Row returns the row whose idx column is idx.
func (l *ImageList) Row(idx int) (ImageListRow, error) {
	i, ok := l.byIdx[idx]
	if !ok {
		return ImageListRow{}, fmt.Errorf("celebahq: %s has no row for idx %d (it lists %d images)", l.Path, idx, len(l.Rows))
	}
	return l.Rows[i], nil
}
