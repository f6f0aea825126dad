package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/progan/progan/trainer/internal/nn"
	"github.com/progan/progan/trainer/safetensors"
)

// Checkpoint format. A checkpoint is one safetensors file (package
// trainer/safetensors) of float32 tensors named
//
//	G/<var>, D/<var>, Gs/<var>         weights of G, D and the moving average Gs
//	G_opt/m/<var>, G_opt/v/<var>       Adam moments of G (and D_opt/… of D)
//
// where <var> is the reference's variable name
// (docs/trainer.md#checkpoint-format), such as 4x4/Dense/weight,
// 8x8/Conv0_up/bias, ToRGB_lod0/weight, FromRGB_lod3/weight,
// 16x16/Conv1_down/weight, 4x4/Dense1/bias. Weights
// are the stored N(0, 1) variables, before the equalized learning rate's
// run-time scale, in the reference's layouts: [k, k, in, out] for
// convolutions and [in, out] for dense layers. The one difference is the
// generator's Conv0_up: here it is nearest-neighbour upsampling followed
// by a 3×3 convolution of layout [3, 3, in, out], where the reference's
// fused transposed convolution stores [3, 3, out, in] with the kernel
// flipped in both spatial axes (the same function; docs/trainer.md#layers).
//
// The metadata holds "format" (CheckpointFormat), "arch" (Arch as JSON),
// "config" (Config as JSON), "state" (the run's position as JSON: images
// shown, step counters, optimiser steps and beta powers, data stream
// position, tick, SWD history), "lod", "kimg" and "dataset" (what
// identifies the dataset trained on, as JSON; checkpoints written before
// it was added lack it). Every tensor is finite: a run whose weights are
// not stops instead of writing them.
//
// A checkpoint is read as untrusted input: every field of the metadata is
// checked against the limits of a run (MaxResolution and the others) and
// every tensor's shape against the network its arch describes before a
// network is built from it.
const CheckpointFormat = "progan-trainer/1"

type checkpoint struct {
	path  string
	file  *safetensors.File // nil when only the metadata was read
	arch  Arch
	cfg   Config
	state state
	lod   float64
	data  *datasetID // nil in checkpoints older than the fingerprint
}

// ErrDiverged is wrapped by the error of a run whose weights, optimiser
// state or losses are no longer finite.
var ErrDiverged = errors.New("diverged")

// ErrTooFewForSWD is wrapped by the error of a run whose SWD sample (the
// smaller of Config.SWDImages and the dataset) holds fewer images than
// SWD needs; Config.SWDImages 0 turns SWD off.
var ErrTooFewForSWD = errors.New("too few for SWD")

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
	// The host copies are current now, on any device: a run that has
	// diverged stops here, and the last checkpoint written stays the last
	// finite one.
	for _, ten := range ts {
		if n := nonFinite(ten.Data); n > 0 {
			return "", t.diverged(fmt.Sprintf("non-finite weights or optimiser state (%d values of %s)", n, ten.Name))
		}
	}
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
	t.lastCkpt = path
	return path, nil
}

// diverged logs and returns the error that stops a diverged run: what
// went non-finite, and the checkpoint to go back to.
func (t *trainer) diverged(what string) error {
	last := "no checkpoint had been written"
	if t.lastCkpt != "" {
		last = "the last finite checkpoint is " + t.lastCkpt
	}
	err := fmt.Errorf("trainer: %w at kimg %.1f: %s; %s", ErrDiverged, float64(t.st.Nimg)/1000, what, last)
	t.logf("%v", err)
	return err
}

// nonFinite counts the infinities and NaNs in x.
func nonFinite(x []f32) int {
	n := 0
	for _, v := range x {
		if v-v != 0 { // NaN − NaN and ∞ − ∞ are NaN
			n++
		}
	}
	return n
}

func (t *trainer) metadata() (map[string]string, error) {
	meta := map[string]string{"format": CheckpointFormat}
	for k, v := range map[string]any{
		"arch":    t.arch,
		"config":  t.cfg,
		"state":   t.st,
		"lod":     t.lod(),
		"kimg":    float64(t.st.Nimg) / 1000,
		"dataset": t.dataID,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("trainer: checkpoint %s: %w", k, err)
		}
		meta[k] = string(b)
	}
	return meta, nil
}

// readCheckpoint reads a checkpoint file written by saveCheckpoint and
// checks its metadata.
func readCheckpoint(path string) (*checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	return parseCheckpoint(path, f)
}

// parseCheckpoint checks the metadata of a checkpoint file read from path.
func parseCheckpoint(path string, f *safetensors.File) (*checkpoint, error) {
	c := &checkpoint{path: path, file: f}
	if err := c.parseMeta(f.Metadata); err != nil {
		return nil, fmt.Errorf("trainer: %s: %w", path, err)
	}
	return c, nil
}

// parseMeta decodes and validates every field of the metadata: the arch
// within the limits of a network, the configuration as a run's, the state
// and lod within the network's levels.
func (c *checkpoint) parseMeta(meta map[string]string) error {
	if meta["format"] != CheckpointFormat {
		return fmt.Errorf("not a trainer checkpoint (format %q, want %q)", meta["format"], CheckpointFormat)
	}
	for _, f := range []struct {
		key string
		v   any
	}{{"arch", &c.arch}, {"config", &c.cfg}, {"state", &c.state}, {"lod", &c.lod}} {
		v, ok := meta[f.key]
		if !ok {
			return fmt.Errorf("metadata has no %q", f.key)
		}
		if err := json.Unmarshal([]byte(v), f.v); err != nil {
			return fmt.Errorf("metadata %q: %w", f.key, err)
		}
	}
	if err := c.arch.check(); err != nil {
		return fmt.Errorf("metadata \"arch\": %w", err)
	}
	if err := c.cfg.check(c.arch.Resolution); err != nil {
		return fmt.Errorf("metadata \"config\": %w", err)
	}
	if r := c.cfg.Resolution; r != 0 && r != c.arch.Resolution {
		return fmt.Errorf("metadata \"config\": resolution %d, the arch's is %d", r, c.arch.Resolution)
	}
	if err := c.state.check(c.arch); err != nil {
		return fmt.Errorf("metadata \"state\": %w", err)
	}
	if maxLOD := float64(c.arch.log2R() - 2); !(c.lod >= 0 && c.lod <= maxLOD) {
		return fmt.Errorf("metadata \"lod\": %g outside [0, %g]", c.lod, maxLOD)
	}
	if v, ok := meta["dataset"]; ok {
		if err := json.Unmarshal([]byte(v), &c.data); err != nil {
			return fmt.Errorf("metadata \"dataset\": %w", err)
		}
	}
	return nil
}

// check validates a run's position for a network of arch a.
func (s *state) check(a Arch) error {
	maxLOD := float64(a.log2R() - 2)
	inLOD := func(lod float64) bool { return lod >= 0 && lod <= maxLOD }
	switch {
	case s.Nimg < 0:
		return fmt.Errorf("nimg %d is negative", s.Nimg)
	case s.DSteps < 0 || s.GSteps < 0:
		return fmt.Errorf("step counters %d (D) and %d (G): want ≥ 0", s.DSteps, s.GSteps)
	case s.Tick < 0 || s.TickStart < 0 || s.TickStart > s.Nimg:
		return fmt.Errorf("tick %d starting at nimg %d: want ≥ 0, the start at most nimg %d", s.Tick, s.TickStart, s.Nimg)
	case s.PrevLOD != -1 && !inLOD(s.PrevLOD): // −1: no round yet
		return fmt.Errorf("prev_lod %g outside [0, %g]", s.PrevLOD, maxLOD)
	case s.DataRes != 0 && (!isPow2(s.DataRes) || s.DataRes < 4 || s.DataRes > a.Resolution):
		return fmt.Errorf("data_res %d: want 0 or a power of two from 4 to %d", s.DataRes, a.Resolution)
	case s.DataPos < 0:
		return fmt.Errorf("data_pos %d is negative", s.DataPos)
	case !(s.Seconds >= 0) || !finite(s.Seconds):
		return fmt.Errorf("seconds %g: want finite and ≥ 0", s.Seconds)
	case s.Acc.Steps < 0 || s.Acc.Skipped < 0 || s.Acc.NonFinite < 0 || s.Acc.NonFinite > s.Acc.Steps:
		return fmt.Errorf("tick accumulator of %d steps, %d skipped, %d non-finite: want ≥ 0, non-finite at most the steps",
			s.Acc.Steps, s.Acc.Skipped, s.Acc.NonFinite)
	}
	for _, o := range []struct {
		name string
		a    adamState
	}{{"g_adam", s.GAdam}, {"d_adam", s.DAdam}} {
		// The powers divide as 1 − β1^t: 1 would give an infinite step.
		if o.a.Steps < 0 || !(o.a.Beta1Power >= 0 && o.a.Beta1Power < 1) || !(o.a.Beta2Power >= 0 && o.a.Beta2Power < 1) {
			return fmt.Errorf("%s: steps %d, beta powers %g and %g: want steps ≥ 0 and powers in [0, 1)", o.name, o.a.Steps, o.a.Beta1Power, o.a.Beta2Power)
		}
	}
	for i, p := range s.SWD {
		ok := p.Kimg >= 0 && finite(p.Kimg) && inLOD(p.LOD) && p.Avg >= 0 && finite(p.Avg) && len(p.Levels) <= a.log2R()
		for _, v := range p.Levels {
			ok = ok && v >= 0 && finite(v)
		}
		if !ok {
			return fmt.Errorf("swd point %d (kimg %g, lod %g, avg %g, %d levels): want finite, non-negative values within the network's levels", i, p.Kimg, p.LOD, p.Avg, len(p.Levels))
		}
	}
	return nil
}

// checkTensors checks that the checkpoint holds every tensor prefix+name
// of shapes, of that shape and finite. It runs before a network is built
// from the metadata, so that an arch the tensors do not bear out allocates
// nothing: a network built after it is no larger than the file.
func (c *checkpoint) checkTensors(prefix string, shapes []paramShape) error {
	for _, p := range shapes {
		ten, ok := c.file.Tensor(prefix + p.name)
		if !ok {
			return fmt.Errorf("trainer: %s: no tensor %s%s", c.path, prefix, p.name)
		}
		if !slices.Equal(ten.Shape, p.shape) {
			return fmt.Errorf("trainer: %s: tensor %s%s has shape %v, the arch needs %v", c.path, prefix, p.name, ten.Shape, p.shape)
		}
		if n := nonFinite(ten.Data); n > 0 {
			return fmt.Errorf("trainer: %s: tensor %s%s has %d non-finite values: the run had diverged; use an earlier checkpoint", c.path, prefix, p.name, n)
		}
	}
	return nil
}

// checkAll runs checkTensors on every tensor a resumed run restores.
func (c *checkpoint) checkAll() error {
	g, d := c.arch.generatorShapes(), c.arch.discriminatorShapes()
	for _, t := range []struct {
		prefix string
		shapes []paramShape
	}{{"G/", g}, {"D/", d}, {"Gs/", g}, {"G_opt/m/", g}, {"G_opt/v/", g}, {"D_opt/m/", d}, {"D_opt/v/", d}} {
		if err := c.checkTensors(t.prefix, t.shapes); err != nil {
			return err
		}
	}
	return nil
}

// load copies the tensors prefix+<var> into the network's parameters.
func (c *checkpoint) load(prefix string, n *network, dst func(i int, p *nn.Param[f32]) []f32) error {
	for i, p := range n.params {
		ten, ok := c.file.Tensor(prefix + p.name)
		if !ok {
			return fmt.Errorf("trainer: %s: no tensor %s%s", c.path, prefix, p.name)
		}
		if len(ten.Data) != len(p.p.Value) || !slices.Equal(ten.Shape, p.p.Shape) {
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

// ErrNoRunCheckpoint reports a run folder without a checkpoint to resume.
var ErrNoRunCheckpoint = errors.New("no checkpoint in the run folder")

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
		var c checkpoint
		if err := c.parseMeta(meta); err != nil {
			return "", fmt.Errorf("trainer: %s: %w", path, err)
		}
		// Snapshots before the final copy of the same state: the names sort so.
		if c.state.Nimg > bestN {
			best, bestN = path, c.state.Nimg
		}
	}
	if best == "" {
		return "", fmt.Errorf("trainer: %s: %w", dir, ErrNoRunCheckpoint)
	}
	return best, nil
}

// Saved returns the configuration and the network of the checkpoint that
// Resume continues in the run folder dir, from its metadata alone: what a
// resumed run keeps, such as the settings it cannot change.
func Saved(dir string) (Config, Arch, error) {
	path, err := newestCheckpoint(dir)
	if err != nil {
		return Config{}, Arch{}, err
	}
	meta, err := safetensors.ReadMetadata(path)
	if err != nil {
		return Config{}, Arch{}, fmt.Errorf("trainer: %w", err)
	}
	var c checkpoint
	if err := c.parseMeta(meta); err != nil {
		return Config{}, Arch{}, fmt.Errorf("trainer: %s: %w", path, err)
	}
	return c.cfg, c.arch, nil
}
