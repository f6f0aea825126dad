package imagefile

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// extensions are the file name extensions List accepts, in lower case.
var extensions = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true,
	".bmp": true, ".tif": true, ".tiff": true, ".webp": true,
}

// List returns the image files under dir sorted by name: by the byte order
// of their path relative to dir with '/' separators, the order of Python's
// sorted(glob(...)). With recursive it walks subfolders too, skipping dot
// folders and not following symbolic links to folders.
//
// Entries that are not images by extension (.png .jpg .jpeg .gif .bmp .tif
// .tiff .webp, in any case), dot files and directories are left out. The
// paths returned are dir joined with the relative path. List returns an
// error naming dir if nothing is found.
func List(dir string, recursive bool) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("imagefile: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("imagefile: %s is not a directory", dir)
	}

	var rels []string
	if recursive {
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path == dir {
				return nil // the root may itself be "." or a dot folder
			}
			if d.IsDir() {
				if hidden(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if isImage(path, d) {
				rel, err := filepath.Rel(dir, path)
				if err != nil {
					return err
				}
				rels = append(rels, filepath.ToSlash(rel))
			}
			return nil
		})
	} else {
		rels, err = names(dir, isImage)
	}
	if err != nil {
		return nil, fmt.Errorf("imagefile: %w", err)
	}
	if len(rels) == 0 {
		return nil, fmt.Errorf("imagefile: no input images found in %s", dir)
	}

	// Sort the slash-separated relative paths, not the joined ones or
	// WalkDir's visiting order: WalkDir lists "a/x.png" before "a.png",
	// but '.' < '/' puts "a.png" first in Python's order.
	slices.Sort(rels)
	paths := make([]string, len(rels))
	for i, rel := range rels {
		paths[i] = filepath.Join(dir, filepath.FromSlash(rel))
	}
	return paths, nil
}

// Select returns the entries of the folder dir itself (not of its
// subfolders) that keep accepts, as dir joined with their names, sorted by
// name; keep receives that path and the entry. os.ReadDir's error is
// returned as it comes; a folder with nothing kept gives none and no
// error. List without recursive is Select with its image filter.
func Select(dir string, keep func(path string, d fs.DirEntry) bool) ([]string, error) {
	names, err := names(dir, keep)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = filepath.Join(dir, name)
	}
	return paths, nil
}

// names returns the names of the entries of dir that keep accepts, sorted
// (os.ReadDir's order), with os.ReadDir's error.
func names(dir string, keep func(path string, d fs.DirEntry) bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	var names []string
	for _, d := range entries {
		if keep(filepath.Join(dir, d.Name()), d) {
			names = append(names, d.Name())
		}
	}
	return names, err
}

// hidden reports whether name is a dot file or folder, which includes
// .DS_Store and the "._" AppleDouble files macOS leaves beside images.
func hidden(name string) bool {
	return strings.HasPrefix(name, ".")
}

// isImage reports whether the directory entry d at path is a visible file
// with an image extension. Symbolic links count when they lead to a regular
// file; a broken one is kept so that loading it reports the problem.
func isImage(path string, d fs.DirEntry) bool {
	name := d.Name()
	if hidden(name) || !extensions[strings.ToLower(filepath.Ext(name))] {
		return false
	}
	t := d.Type()
	switch {
	case t.IsRegular():
		return true
	case t&fs.ModeSymlink != 0:
		fi, err := os.Stat(path)
		return err != nil || fi.Mode().IsRegular()
	}
	return false // folders, pipes, sockets, devices
}

// IsImageName reports whether a file name has one of the image extensions
// List accepts and is not hidden: the rule for entries of an archive.
func IsImageName(name string) bool {
	base := path.Base(name)
	return !hidden(base) && extensions[strings.ToLower(path.Ext(base))]
}
