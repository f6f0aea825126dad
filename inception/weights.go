package inception

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/pth"
	"github.com/progan/progan/trainer/safetensors"
)

// The published weights files, and where they are published.
const (
	// TorchFidelityFile is torch-fidelity's conversion of the TensorFlow
	// graph (its default feature extractor "inception-v3-compat").
	TorchFidelityFile = "weights-inception-2015-12-05-6726825d.pth"
	TorchFidelityURL  = "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + TorchFidelityFile
	// PytorchFIDFile is pytorch-fid's conversion of the same graph.
	PytorchFIDFile = "pt_inception-2015-12-05-6726825d.pth"
	PytorchFIDURL  = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + PytorchFIDFile

	// WeightsEnv names the environment variable that may hold the path
	// of the weights file.
	WeightsEnv = "PROGAN_INCEPTION_WEIGHTS"
)

// maxWeightsFile bounds the size of a weights file read into memory: the
// network's tensors are 96 MB; a file much larger is not these weights.
const maxWeightsFile = 512 << 20

// hashInName is PyTorch hub's convention for a file name carrying the
// first hex digits of the file's SHA-256 ("name-6726825d.pth").
var hashInName = regexp.MustCompile(`-([0-9a-f]{8,64})\.[A-Za-z]+$`)

// Load reads the weights file at path and builds a Model. It reads
// PyTorch files written by torch.save (the zip format or the legacy one)
// holding the state_dict, as torch-fidelity's and pytorch-fid's published
// files do, and safetensors files with the same tensor names (float32).
// When the file's name carries a hash in PyTorch hub's way
// ("…-6726825d.pth"), the file's SHA-256 must begin with it.
func Load(path string) (*Model, error) {
	f, st, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("inception: %w", err)
	}
	defer f.Close()
	if st.Size() > maxWeightsFile {
		return nil, fmt.Errorf("inception: %s: %d bytes: too large for Inception v3 weights", path, st.Size())
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("inception: %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if m := hashInName.FindStringSubmatch(filepath.Base(path)); m != nil {
		if got := digest; !strings.HasPrefix(got, m[1]) {
			return nil, fmt.Errorf("inception: %s: SHA-256 %s… does not begin with %s as the file's name says: the file is damaged or not the published one", path, got[:16], m[1])
		}
	}
	tensors, err := decodeWeights(data)
	if err != nil {
		return nil, fmt.Errorf("inception: %s: %w", path, err)
	}
	m, err := New(tensors)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	m.digest = digest
	return m, nil
}

// decodeWeights reads a PyTorch or safetensors file's tensors.
func decodeWeights(data []byte) (map[string]Tensor, error) {
	out := map[string]Tensor{}
	if len(data) >= 9 && data[8] == '{' && !bytes.HasPrefix(data, []byte("PK")) {
		sf, err := safetensors.Read(data)
		if err != nil {
			return nil, err
		}
		for _, t := range sf.Tensors {
			out[t.Name] = Tensor{Shape: t.Shape, Data: t.Data}
		}
		return out, nil
	}
	ts, err := pth.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	for name, t := range ts {
		if ignorable(name) {
			continue
		}
		v, err := t.Float32()
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		out[name] = Tensor{Shape: t.Shape, Data: v}
	}
	return out, nil
}

// ErrNoWeights is returned by FindWeights when no weights file is found.
var ErrNoWeights = errors.New("inception: no weights file")

// FindWeights returns the path of the weights file to use: path itself
// when it is not empty, else the file named by $PROGAN_INCEPTION_WEIGHTS,
// else the first of these that exists: CacheDir()/TorchFidelityFile,
// CacheDir()/PytorchFIDFile, and the same two names in PyTorch hub's
// checkpoint folder ($TORCH_HOME/hub/checkpoints, by default
// ~/.cache/torch/hub/checkpoints), where torch-fidelity and pytorch-fid
// download them. When none exists the error says where to get the file
// and where to put it.
func FindWeights(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	if p := os.Getenv(WeightsEnv); p != "" {
		return p, nil
	}
	var dirs []string
	if d, err := CacheDir(); err == nil {
		dirs = append(dirs, d)
	}
	torchHome := os.Getenv("TORCH_HOME")
	if torchHome == "" {
		if home, err := os.UserHomeDir(); err == nil {
			torchHome = filepath.Join(home, ".cache", "torch")
		}
		if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
			torchHome = filepath.Join(x, "torch")
		}
	}
	if torchHome != "" {
		dirs = append(dirs, filepath.Join(torchHome, "hub", "checkpoints"))
	}
	for _, d := range dirs {
		for _, name := range []string{TorchFidelityFile, PytorchFIDFile} {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	where := "the cache folder"
	if len(dirs) > 0 {
		where = dirs[0]
	}
	return "", fmt.Errorf("%w: the Inception v3 weights are torch-fidelity's %s, published at %s (pytorch-fid's %s, %s, holds the same network); download one into %s or name it with $%s",
		ErrNoWeights, TorchFidelityFile, TorchFidelityURL, PytorchFIDFile, PytorchFIDURL, where, WeightsEnv)
}

// CacheDir returns progan's cache folder for Inception: the user's cache
// folder (os.UserCacheDir, $XDG_CACHE_HOME or ~/.cache on Linux) +
// "/progan/inception". It is not created.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "progan", "inception"), nil
}
