package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/progan/progan/internal/nn"
	"github.com/progan/progan/trainer/safetensors"
)

// Checkpoint format. A checkpoint is one safetensors file (package
// trainer/safetensors) of float32 tensors named
//
//	G/<var>, D/<var>, Gs/<var>         weights of G, D and the moving average Gs
//	G_opt/m/<var>, G_opt/v/<var>       Adam moments of G (and D_opt/… of D)
//
// where <var> is the reference's variable name (progan-original.md §6.8),
// such as 4x4/Dense/weight, 8x8/Conv0_up/bias, ToRGB_lod0/weight,
// FromRGB_lod3/weight, 16x16/Conv1_down/weight, 4x4/Dense1/bias. Weights
// are the stored N(0, 1) variables, before the equalized learning rate's
// run-time scale, in the reference's layouts: [k, k, in, out] for
// convolutions and [in, out] for dense layers. The one difference is the
// generator's Conv0_up: here it is nearest-neighbour upsampling followed
// by a 3×3 convolution of layout [3, 3, in, out], where the reference's
// fused transposed convolution stores [3, 3, out, in] with the kernel
// flipped in both spatial axes (the same function; §6.1).
//
// The metadata holds "format" (CheckpointFormat), "arch" (Arch as JSON),
// "config" (Config as JSON), "state" (the run's position as JSON: images
// shown, step counters, optimiser steps and beta powers, data stream
// position, tick, SWD history), "lod" and "kimg".
const CheckpointFormat = "progan-trainer/1"

type checkpoint struct {
	path  string
	file  *safetensors.File
	arch  Arch
	cfg   Config
	state state
	lod   float64
}

// saveCheckpoint writes the run's checkpoint for the current image count
// and returns its path.
func (t *trainer) saveCheckpoint() (string, error) {
	t.g.sync()
	t.d.sync()
	t.gs.sync()
	t.gOpt.Sync()
	t.dOpt.Sync()
	if g := t.dev.nn(); g != nil {
		// A failed GPU leaves zeros in the host copies: never save them.
		if err := g.Err(); err != nil {
			return "", fmt.Errorf("trainer: %s: checkpoint not written: %w", t.dev, err)
		}
	}
	var ts []safetensors.Tensor
	addNet := func(prefix string, n *network) {
		for _, p := range n.params {
			ts = append(ts, safetensors.Tensor{Name: prefix + p.name, Shape: p.p.Shape, Data: p.p.Value})
		}
	}
	addOpt := func(prefix string, n *network, a *nn.Adam[f32]) {
		for i, p := range n.params {
			ts = append(ts,
				safetensors.Tensor{Name: prefix + "m/" + p.name, Shape: p.p.Shape, Data: a.M[i]},
				safetensors.Tensor{Name: prefix + "v/" + p.name, Shape: p.p.Shape, Data: a.V[i]})
		}
	}
	addNet("G/", &t.g.network)
	addNet("D/", &t.d.network)
	addNet("Gs/", &t.gs.network)
	addOpt("G_opt/", &t.g.network, t.gOpt)
	addOpt("D_opt/", &t.d.network, t.dOpt)
	t.st.GAdam = adamState{t.gOpt.Steps, t.gOpt.Beta1Power, t.gOpt.Beta2Power}
	t.st.DAdam = adamState{t.dOpt.Steps, t.dOpt.Beta1Power, t.dOpt.Beta2Power}
	meta, err := t.metadata()
	if err != nil {
		return "", err
	}
	path := filepath.Join(t.cfg.Out, SnapshotFile(t.st.Nimg/1000))
	if err := safetensors.WriteFile(path, ts, meta); err != nil {
		return "", fmt.Errorf("trainer: checkpoint: %w", err)
	}
	return path, nil
}

func (t *trainer) metadata() (map[string]string, error) {
	meta := map[string]string{"format": CheckpointFormat}
	for k, v := range map[string]any{
		"arch":   t.arch,
		"config": t.cfg,
		"state":  t.st,
		"lod":    t.lod(),
		"kimg":   float64(t.st.Nimg) / 1000,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("trainer: checkpoint %s: %w", k, err)
		}
		meta[k] = string(b)
	}
	return meta, nil
}

// readCheckpoint reads a checkpoint file written by saveCheckpoint.
func readCheckpoint(path string) (*checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	c := &checkpoint{path: path, file: f}
	if err := c.parseMeta(f.Metadata); err != nil {
		return nil, fmt.Errorf("trainer: %s: %w", path, err)
	}
	return c, nil
}

func (c *checkpoint) parseMeta(meta map[string]string) error {
	if meta["format"] != CheckpointFormat {
		return fmt.Errorf("not a trainer checkpoint (format %q, want %q)", meta["format"], CheckpointFormat)
	}
	for k, v := range map[string]any{"arch": &c.arch, "config": &c.cfg, "state": &c.state, "lod": &c.lod} {
		if err := json.Unmarshal([]byte(meta[k]), v); err != nil {
			return fmt.Errorf("metadata %q: %w", k, err)
		}
	}
	return c.arch.check()
}

// load copies the tensors prefix+<var> into the network's parameters.
func (c *checkpoint) load(prefix string, n *network, dst func(i int, p *nn.Param[f32]) []f32) error {
	for i, p := range n.params {
		ten, ok := c.file.Tensor(prefix + p.name)
		if !ok {
			return fmt.Errorf("trainer: %s: no tensor %s%s", c.path, prefix, p.name)
		}
		if len(ten.Data) != len(p.p.Value) || fmt.Sprint(ten.Shape) != fmt.Sprint(p.p.Shape) {
			return fmt.Errorf("trainer: %s: tensor %s%s has shape %v, want %v", c.path, prefix, p.name, ten.Shape, p.p.Shape)
		}
		copy(dst(i, p.p), ten.Data)
	}
	return nil
}

func values(_ int, p *nn.Param[f32]) []f32 { return p.Value }

// restore sets the trainer's networks, optimisers and position from the
// checkpoint.
func (c *checkpoint) restore(t *trainer) error {
	if c.arch != t.arch {
		return fmt.Errorf("trainer: %s: network %+v does not match the dataset's %+v", c.path, c.arch, t.arch)
	}
	for _, l := range []struct {
		prefix string
		n      *network
		dst    func(int, *nn.Param[f32]) []f32
	}{
		{"G/", &t.g.network, values},
		{"D/", &t.d.network, values},
		{"Gs/", &t.gs.network, values},
		{"G_opt/m/", &t.g.network, func(i int, _ *nn.Param[f32]) []f32 { return t.gOpt.M[i] }},
		{"G_opt/v/", &t.g.network, func(i int, _ *nn.Param[f32]) []f32 { return t.gOpt.V[i] }},
		{"D_opt/m/", &t.d.network, func(i int, _ *nn.Param[f32]) []f32 { return t.dOpt.M[i] }},
		{"D_opt/v/", &t.d.network, func(i int, _ *nn.Param[f32]) []f32 { return t.dOpt.V[i] }},
	} {
		if err := c.load(l.prefix, l.n, l.dst); err != nil {
			return err
		}
	}
	t.st = c.state
	t.gOpt.Steps, t.gOpt.Beta1Power, t.gOpt.Beta2Power = c.state.GAdam.Steps, c.state.GAdam.Beta1Power, c.state.GAdam.Beta2Power
	t.dOpt.Steps, t.dOpt.Beta1Power, t.dOpt.Beta2Power = c.state.DAdam.Steps, c.state.DAdam.Beta1Power, c.state.DAdam.Beta2Power
	return nil
}

// resumeConfig returns the saved configuration with the settings a resumed
// run may change taken from cfg.
func (c *checkpoint) resumeConfig(cfg Config) Config {
	saved := c.cfg
	saved.Out, saved.Resume, saved.Log, saved.Device = cfg.Out, true, cfg.Log, cfg.Device
	if cfg.Dataset != "" {
		saved.Dataset = cfg.Dataset // the dataset may have moved
	}
	if cfg.TotalKimg > 0 {
		saved.TotalKimg = cfg.TotalKimg
	}
	if cfg.ImageTicks > 0 {
		saved.ImageTicks = cfg.ImageTicks
	}
	if cfg.NetworkTicks > 0 {
		saved.NetworkTicks = cfg.NetworkTicks
	}
	if cfg.SWDImages > 0 {
		saved.SWDImages = cfg.SWDImages
	}
	if cfg.Grid != [2]int{} {
		saved.Grid = cfg.Grid
	}
	return saved
}

// ErrNoCheckpoint reports a run folder without a checkpoint to resume.
var ErrNoCheckpoint = errors.New("no checkpoint in the run folder")

// newestCheckpoint returns the checkpoint in the run folder dir that has
// seen the most images.
func newestCheckpoint(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("trainer: %w", err)
	}
	best, bestN := "", int64(-1)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "network-") || !strings.HasSuffix(name, ".safetensors") {
			continue
		}
		path := filepath.Join(dir, name)
		meta, err := safetensors.ReadMetadata(path)
		if err != nil {
			return "", fmt.Errorf("trainer: %w", err)
		}
		var st state
		if meta["format"] != CheckpointFormat || json.Unmarshal([]byte(meta["state"]), &st) != nil {
			return "", fmt.Errorf("trainer: %s is not a trainer checkpoint", path)
		}
		// Snapshots before the final copy of the same state: the names sort so.
		if st.Nimg > bestN {
			best, bestN = path, st.Nimg
		}
	}
	if best == "" {
		return "", fmt.Errorf("trainer: %s: %w", dir, ErrNoCheckpoint)
	}
	return best, nil
}
