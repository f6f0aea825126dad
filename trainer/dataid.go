package trainer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/progan/progan/pyramid"
)

// datasetID identifies the dataset a run trains on. Every checkpoint
// records it, and a resume on another dataset is refused: the saved
// position of the data stream would point into other images, and the
// network may not fit them. The dataset's path is not part of it (a
// dataset may move), nor is the manifest's creation time (repacking the
// same inputs the same way gives the same files).
type datasetID struct {
	Images     int      `json:"images"`
	Resolution int      `json:"resolution"`
	Channels   int      `json:"channels"`
	LabelSize  int      `json:"label_size"`
	Tiers      []tierID `json:"tiers"`            // highest resolution first
	Labels     string   `json:"labels,omitempty"` // SHA-256 of the labels file, from the manifest
	// Head is the SHA-256 of the first records of the top tier, for a
	// dataset of the original tool, whose manifest-less files have no
	// checksums: a reshuffled one has other first images.
	Head string `json:"head,omitempty"`
}

type tierID struct {
	Resolution int    `json:"resolution"`
	Records    int    `json:"records"`
	Bytes      int64  `json:"bytes"`
	SHA256     string `json:"sha256,omitempty"` // from the manifest
}

// headRecords is how many records Head hashes.
const headRecords = 8

// identify returns the identity of an open dataset.
func identify(ds *pyramid.Dataset) (*datasetID, error) {
	id := &datasetID{Images: ds.Images, Resolution: ds.Resolution, Channels: ds.Channels, LabelSize: ds.LabelSize}
	sums := map[int]string{}
	if m := ds.Manifest; m != nil {
		for _, f := range m.Files {
			switch f.Role {
			case "tier":
				sums[f.Resolution] = f.SHA256
			case "labels":
				id.Labels = f.SHA256
			}
		}
	}
	for _, t := range ds.Tiers {
		id.Tiers = append(id.Tiers, tierID{Resolution: t.Resolution, Records: t.Records, Bytes: t.Bytes, SHA256: sums[t.Resolution]})
	}
	if ds.Manifest == nil {
		h := sha256.New()
		for rec, err := range ds.Range(ds.Resolution, 0, min(headRecords, ds.Images)) {
			if err != nil {
				return nil, fmt.Errorf("trainer: identifying the dataset: %w", err)
			}
			h.Write(rec.Image.Pix)
			for _, v := range rec.Label {
				fmt.Fprintf(h, "%g,", v)
			}
		}
		id.Head = hex.EncodeToString(h.Sum(nil))
	}
	return id, nil
}

// diff describes how the dataset now differs from the one recorded, ""
// when it is the same.
func (was *datasetID) diff(now *datasetID) string {
	var d []string
	change := func(what string, a, b any) {
		if a != b {
			d = append(d, fmt.Sprintf("%s %v, now %v", what, a, b))
		}
	}
	change("images", was.Images, now.Images)
	change("resolution", was.Resolution, now.Resolution)
	change("channels", was.Channels, now.Channels)
	change("label size", was.LabelSize, now.LabelSize)
	if len(d) > 0 {
		return strings.Join(d, ", ")
	}
	tiers := map[int]tierID{}
	for _, t := range now.Tiers {
		tiers[t.Resolution] = t
	}
	for _, t := range was.Tiers {
		n, ok := tiers[t.Resolution]
		switch {
		case !ok:
			d = append(d, fmt.Sprintf("no tier of %d×%d now", t.Resolution, t.Resolution))
		case t.Records != n.Records || t.Bytes != n.Bytes:
			d = append(d, fmt.Sprintf("tier %d×%d was %d records in %d bytes, now %d in %d",
				t.Resolution, t.Resolution, t.Records, t.Bytes, n.Records, n.Bytes))
		case t.SHA256 != "" && n.SHA256 != "" && t.SHA256 != n.SHA256:
			d = append(d, fmt.Sprintf("tier %d×%d has other contents (checksum %.12s…, now %.12s…: reshuffled or rebuilt)",
				t.Resolution, t.Resolution, t.SHA256, n.SHA256))
		}
	}
	if was.Labels != "" && now.Labels != "" && was.Labels != now.Labels {
		d = append(d, "other labels")
	}
	if was.Head != "" && now.Head != "" && was.Head != now.Head {
		d = append(d, fmt.Sprintf("other first %d images (reshuffled or rebuilt)", headRecords))
	}
	return strings.Join(d, ", ")
}
