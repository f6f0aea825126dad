package lsun

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"

	"github.com/progan/progan/pyramid"
)

// Source is an LSUN category as the original's create_lsun packs it, a
// pyramid.Source: the records in key order, up to MaxImages of them. An
// entry that does not decode is an Item.Err (an *EntryError) named
// "key …": skipped with pyramid.PackOptions.KeepGoing, as the original
// does, or stopping the run without.
type Source struct {
	db     *DB
	path   string // as given, recorded in the manifest
	opt    Options
	ownsDB bool
}

// OpenSource opens the database at path (the environment folder or its
// data.mdb) as a Source; opt.Resolution, MaxImages and Workers apply
// (Strict is KeepGoing's opposite, and Source is data.mdb). Close closes
// the database.
func OpenSource(path string, opt Options) (*Source, error) {
	db, err := Open(path)
	if err != nil {
		return nil, err
	}
	s := NewSource(db, path, opt)
	s.ownsDB = true
	return s, nil
}

// NewSource is the Source of an open database; path names it in the
// manifest and, with data.mdb, in errors and the fingerprint.
func NewSource(db *DB, path string, opt Options) *Source {
	file := path
	if filepath.Base(file) != "data.mdb" {
		file = filepath.Join(file, "data.mdb")
	}
	opt.Source, opt.Strict = file, false
	return &Source{db: db, path: path, opt: opt}
}

// Close closes the database if OpenSource opened it.
func (s *Source) Close() error {
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}

// Info implements pyramid.Source.
func (s *Source) Info() pyramid.SourceInfo {
	inputs := s.db.Entries()
	if s.opt.MaxImages > 0 {
		inputs = min(inputs, s.opt.MaxImages)
	}
	return pyramid.SourceInfo{Source: s.path, Order: pyramid.OrderLMDBKeys, Inputs: inputs}
}

// Fingerprint implements pyramid.Source: the settings and data.mdb's
// name, size and modification time.
func (s *Source) Fingerprint(p pyramid.PackOptions) (string, error) {
	return pyramid.FingerprintFiles(fmt.Sprintf("lsun\x00%d\x00%d\x00%v\x00%s", s.opt.Resolution, s.opt.MaxImages, !p.KeepGoing, p.Compression),
		[]string{s.opt.Source})
}

// Items implements pyramid.Source, with Records.
func (s *Source) Items(ctx context.Context, from pyramid.Position) iter.Seq2[pyramid.Item, error] {
	return func(yield func(pyramid.Item, error) bool) {
		for it, err := range Records(ctx, s.db, from.Inputs, from.Images, s.opt) {
			var p pyramid.Item
			if err == nil {
				p.Name = "key " + it.Key
				if it.Err != nil {
					p.Err = it.Err
				} else {
					p.Image = it.Image
				}
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}
