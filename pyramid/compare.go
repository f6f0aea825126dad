package pyramid

import (
	"bytes"
	"iter"
	"slices"
)

// Comparison is the outcome of Compare, counted as the original tool's
// compare command does over the full-resolution tiers.
type Comparison struct {
	ImagesA, ImagesB int   `json:"-"`
	Compared         int   `json:"compared"` // pairs compared: the shorter count
	IdenticalImages  int   `json:"identical_images"`
	IdenticalLabels  int   `json:"identical_labels"`
	LabelsCompared   bool  `json:"labels_compared"`
	DifferentImages  []int `json:"different_images"` // first few indices
	DifferentLabels  []int `json:"different_labels"`
}

// Identical reports whether both datasets hold the same images (and
// labels, when compared) in the same order.
func (c *Comparison) Identical() bool {
	return c.ImagesA == c.ImagesB && c.IdenticalImages == c.Compared &&
		(!c.LabelsCompared || c.IdenticalLabels == c.Compared)
}

const maxListed = 20

// Compare reads the full-resolution tiers of a and b in lockstep and
// counts identical images (same shape and bytes) and, unless ignoreLabels,
// identical label rows. progress, if set, is called per compared pair.
func Compare(a, b *Dataset, ignoreLabels bool, progress func(int)) (*Comparison, error) {
	c := &Comparison{ImagesA: a.Images, ImagesB: b.Images, LabelsCompared: !ignoreLabels,
		DifferentImages: []int{}, DifferentLabels: []int{}}
	next, stop := iter.Pull2(b.Records(b.Resolution))
	defer stop()
	for ra, err := range a.Records(a.Resolution) {
		if err != nil {
			return nil, err
		}
		rb, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return nil, err
		}
		i := c.Compared
		c.Compared++
		if ra.Image.Channels == rb.Image.Channels && ra.Image.Size == rb.Image.Size && bytes.Equal(ra.Image.Pix, rb.Image.Pix) {
			c.IdenticalImages++
		} else if len(c.DifferentImages) < maxListed {
			c.DifferentImages = append(c.DifferentImages, i)
		}
		if !ignoreLabels {
			if slices.Equal(ra.Label, rb.Label) {
				c.IdenticalLabels++
			} else if len(c.DifferentLabels) < maxListed {
				c.DifferentLabels = append(c.DifferentLabels, i)
			}
		}
		if progress != nil {
			progress(1)
		}
	}
	return c, nil
}
