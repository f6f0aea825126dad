package trainer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/swd"
	"github.com/progan/progan/trainer/internal/nn"
)

// Files of a run folder.
const (
	ConfigFile = "config.json"
	LogFile    = "log.txt"
	StatsFile  = "stats.jsonl"
	RealsFile  = "reals.png"
	SWDPlot    = "swd.png"
	FinalFile  = "network-final.safetensors"
	DoneFile   = "_training-done.txt"
)

// FakesFile is the name of the sample grid after kimg thousand images.
func FakesFile(kimg int64) string { return fmt.Sprintf("fakes%06d.png", kimg) }

// SnapshotFile is the name of the checkpoint after kimg thousand images.
func SnapshotFile(kimg int64) string { return fmt.Sprintf("network-snapshot-%06d.safetensors", kimg) }

// state is the position of a run beyond its weights, saved in every
// checkpoint so that a resumed run continues exactly.
type state struct {
	Nimg      int64      `json:"nimg"`       // real images shown
	DSteps    int64      `json:"d_steps"`    // counters of the random streams
	GSteps    int64      `json:"g_steps"`    //
	PrevLOD   float64    `json:"prev_lod"`   // lod of the last round, for the optimiser resets
	Tick      int        `json:"tick"`       // ticks completed
	TickStart int64      `json:"tick_start"` // nimg at the start of the current tick
	DataRes   int        `json:"data_res"`   // tier the reals come from
	DataPos   int64      `json:"data_pos"`   // records taken from it
	Seconds   float64    `json:"seconds"`    // training time so far
	GAdam     adamState  `json:"g_adam"`
	DAdam     adamState  `json:"d_adam"`
	Acc       tickAcc    `json:"acc"` // the current tick's sums
	SWD       []swdPoint `json:"swd"`
}

type adamState struct {
	Steps      int     `json:"steps"`
	Beta1Power float32 `json:"beta1_power"`
	Beta2Power float32 `json:"beta2_power"`
}

// tickAcc sums the step losses of a tick.
type tickAcc struct {
	Steps     int     `json:"steps"`
	DLoss     float64 `json:"loss_d"`
	GLoss     float64 `json:"loss_g"`
	Penalty   float64 `json:"penalty"`
	RealScore float64 `json:"score_real"`
	FakeScore float64 `json:"score_fake"`
	Skipped   int     `json:"skipped"`
	NonFinite int     `json:"non_finite"` // steps with a non-finite loss
}

// tickAccJSON is tickAcc as saved: a step whose loss was NaN (its update
// skipped) leaves the tick's sums NaN, which encoding/json refuses to
// write, and the checkpoint of that tick must still be written and resume
// the same sums.
type tickAccJSON struct {
	Steps     int       `json:"steps"`
	DLoss     jsonFloat `json:"loss_d"`
	GLoss     jsonFloat `json:"loss_g"`
	Penalty   jsonFloat `json:"penalty"`
	RealScore jsonFloat `json:"score_real"`
	FakeScore jsonFloat `json:"score_fake"`
	Skipped   int       `json:"skipped"`
	NonFinite int       `json:"non_finite,omitempty"` // omitted when 0: a sound run's state reads as before
}

func (a tickAcc) MarshalJSON() ([]byte, error) {
	return json.Marshal(tickAccJSON{a.Steps, jsonFloat(a.DLoss), jsonFloat(a.GLoss), jsonFloat(a.Penalty),
		jsonFloat(a.RealScore), jsonFloat(a.FakeScore), a.Skipped, a.NonFinite})
}

func (a *tickAcc) UnmarshalJSON(b []byte) error {
	var j tickAccJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = tickAcc{j.Steps, float64(j.DLoss), float64(j.GLoss), float64(j.Penalty), float64(j.RealScore), float64(j.FakeScore), j.Skipped, j.NonFinite}
	return nil
}

// jsonFloat is a float64 in JSON that may be NaN or infinite: those are
// the strings "NaN", "+Inf" and "-Inf", finite values plain numbers.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if v := float64(f); !finite(v) {
		return json.Marshal(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return json.Marshal(float64(f))
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN", "+Inf", "-Inf":
			v, _ := strconv.ParseFloat(s, 64)
			*f = jsonFloat(v)
			return nil
		}
		return fmt.Errorf("number %q: want a number, \"NaN\", \"+Inf\" or \"-Inf\"", s)
	}
	return json.Unmarshal(b, (*float64)(f))
}

// swdPoint is one evaluation of the sliced Wasserstein distance of Gs
// samples against reals.
type swdPoint struct {
	Kimg   float64   `json:"kimg"`
	LOD    float64   `json:"lod"`
	Avg    float64   `json:"avg"`    // SWD×1e3, mean over levels
	Levels []float64 `json:"levels"` // SWD×1e3 per level, highest resolution first
}

// trainer is one run in progress.
type trainer struct {
	cfg    Config
	arch   Arch
	ds     *pyramid.Dataset
	labels *pyramid.Labels
	dev    *Device

	g, gs      *generator
	d          *discriminator
	gOpt, dOpt *nn.Adam[f32]
	gnet       nn.Layer[f32]
	dnet       nn.DualLayer[f32]
	data       *reals
	st         state

	log   *os.File
	stats *os.File

	lock     *lockfile.Lock // on the run folder, for the whole run
	dataID   *datasetID     // recorded in every checkpoint
	lastCkpt string         // the last checkpoint written or resumed from

	swdEval  *swd.Evaluator
	swdReals *swd.Descriptors

	// onRound, when set (tests), sees every round's step statistics.
	onRound func(nimg int64, steps []stepStats)
}

// ErrInUse is wrapped by the error of Train when another progan process
// holds the run folder's lock. Every progan lock reports this one value
// (pyramid.ErrInUse is the same).
var ErrInUse = lockfile.ErrLocked

// Train runs, or with cfg.Resume continues, the training run described by
// cfg until cfg.TotalKimg thousand real images have been shown or ctx is
// cancelled. Either way it leaves a checkpoint from which Resume continues
// the same trajectory: the same losses and weights as an uninterrupted run
// with the same seed (on a machine with the same GOMAXPROCS, which fixes
// how sums are split between goroutines). It fails at once, with an error
// wrapping ErrInUse, if another process runs in the same folder; a run
// that diverges stops with an error wrapping ErrDiverged.
func Train(ctx context.Context, cfg Config) error {
	t, err := start(cfg)
	if err != nil {
		return err
	}
	defer t.close()
	return t.run(ctx)
}

// start opens the dataset and the run folder and builds or restores the
// networks. Everything that can be checked is checked before a new run's
// folder is created; the run folder stays locked until close, so that a
// second trainer of the same run, new or resumed, fails at once.
func start(cfg Config) (_ *trainer, err error) {
	if cfg.Out == "" {
		return nil, errors.New("trainer: no run folder")
	}
	var (
		lock    *lockfile.Lock
		created bool
		t       *trainer
	)
	defer func() {
		if err == nil {
			return
		}
		if created {
			// Only a folder this start made, with the files it wrote;
			// still locked.
			os.RemoveAll(cfg.Out)
		}
		if t != nil {
			t.close() // releases the lock
		} else {
			lock.Release()
		}
	}()
	var ckpt *checkpoint
	if cfg.Resume {
		if _, err := os.Stat(cfg.Out); err != nil {
			return nil, fmt.Errorf("trainer: run folder: %w", err)
		}
		// Locked before reading: another trainer could write a newer
		// checkpoint after this one is chosen.
		if lock, err = lockfile.Acquire(cfg.Out); err != nil {
			return nil, fmt.Errorf("trainer: %w", err)
		}
		path, err := newestCheckpoint(cfg.Out)
		if err != nil {
			return nil, err
		}
		if ckpt, err = readCheckpoint(path); err != nil {
			return nil, err
		}
		cfg = ckpt.resumeConfig(cfg)
	} else {
		// Locked first where that creates nothing but the lock file (the
		// folder's parent exists), so that a run in progress is reported
		// as such rather than as a folder that is not empty.
		if _, err := os.Stat(filepath.Dir(filepath.Clean(cfg.Out))); err == nil {
			if lock, err = lockfile.Acquire(cfg.Out); err != nil {
				return nil, fmt.Errorf("trainer: %w", err)
			}
		}
		if err := checkEmpty(cfg.Out); err != nil {
			return nil, err
		}
	}

	ds, err := pyramid.Open(cfg.Dataset)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	t = &trainer{cfg: cfg, ds: ds, data: newReals(ds, cfg.Seed), lock: lock}
	if t.dev, err = OpenDevice(cfg.Device); err != nil {
		return nil, err
	}
	if err := t.setup(ckpt); err != nil {
		return nil, err
	}
	if !cfg.Resume {
		if created, err = t.makeRunFolder(); err != nil {
			return nil, err
		}
	}
	if err := t.openFiles(ckpt != nil); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *trainer) setup(ckpt *checkpoint) error {
	cfg, ds := t.cfg, t.ds
	res := cfg.Resolution
	if res == 0 {
		res = ds.Resolution
	}
	if !isPow2(res) || res < 4 || res > ds.Resolution {
		return fmt.Errorf("trainer: resolution %d: want a power of two from 4 to the dataset's %d", res, ds.Resolution)
	}
	if err := cfg.check(res); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	if cfg.SWDImages > 0 && res >= swd.MinSize {
		if n := min(cfg.SWDImages, ds.Images); n < swd.MinImages {
			return fmt.Errorf("trainer: %d images are %w (at least %d)", n, ErrTooFewForSWD, swd.MinImages)
		}
	}
	id, err := identify(ds)
	if err != nil {
		return err
	}
	t.dataID = id
	if ckpt != nil && ckpt.data != nil { // older checkpoints record no dataset: nothing to compare
		if d := ckpt.data.diff(id); d != "" {
			return fmt.Errorf("trainer: %s: dataset %s is not the one the run trained on: %s", ckpt.path, ds.Dir, d)
		}
	}
	labels := ds.LabelSize
	if cfg.NoLabels {
		labels = 0
	}
	latent := cfg.LatentSize
	a := Arch{Resolution: res, Channels: ds.Channels, LabelSize: labels, FmapBase: cfg.FmapBase, FmapMax: cfg.FmapMax, MbstdGroup: cfg.MbstdGroup}
	if latent == 0 {
		latent = a.nf(0)
	}
	a.LatentSize = latent
	if err := a.check(); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	t.arch = a
	if ckpt != nil {
		// Before building anything: the networks are then no larger than
		// the checkpoint's tensors.
		if ckpt.arch != a {
			return fmt.Errorf("trainer: %s: network %+v does not match the dataset's %+v", ckpt.path, ckpt.arch, a)
		}
		if err := ckpt.checkAll(); err != nil {
			return err
		}
		t.lastCkpt = ckpt.path
	}
	if labels > 0 {
		m, err := ds.Labels()
		if err != nil {
			return fmt.Errorf("trainer: %w", err)
		}
		t.labels = m
	}

	init := stream(cfg.Seed, purposeInit, 0)
	t.g, t.d = newGenerator(a, init), newDiscriminator(a, init)
	t.gs = newGenerator(a, nil)
	nn.MovingAverage(t.gs.Params(), t.g.Params(), 0) // Gs starts as a copy of G
	t.gOpt = nn.NewAdam(t.g.Params(), 0, 0.99, 1e-8)
	t.dOpt = nn.NewAdam(t.d.Params(), 0, 0.99, 1e-8)
	t.st.PrevLOD = -1
	if ckpt != nil {
		if err := ckpt.restore(t); err != nil {
			return err
		}
	}
	// Restored on the host, then moved: a run resumes on any device.
	if g := t.dev.nn(); g != nil {
		t.g.place(g)
		t.d.place(g)
		t.gs.place(g)
		t.gOpt.MoveTo(g)
		t.dOpt.MoveTo(g)
		if err := g.Err(); err != nil {
			return fmt.Errorf("trainer: %w", err)
		}
	}
	return nil
}

func (t *trainer) close() {
	// The reals stream first: a compressed tier's reader is a coroutine
	// (iter.Pull2), which must stop while the GPU still locks the thread,
	// as when it was created.
	t.data.close()
	t.dev.Close()
	t.ds.Close()
	if t.log != nil {
		t.log.Close()
	}
	if t.stats != nil {
		t.stats.Close()
	}
	if t.swdReals != nil {
		t.swdReals.Release()
	}
	t.lock.Release() // last: the run's files are closed
}

// checkEmpty checks that dir does not exist or is an empty folder, so
// that a new run never mixes its files with another's. It creates
// nothing: a run that fails its checks leaves no folder behind.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("trainer: run folder: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("trainer: run folder %s is not empty (resume it, or choose another)", dir)
	}
	return nil
}

// makeRunFolder locks a new run's folder, if start has not, and creates
// it; created reports that it did not exist.
func (t *trainer) makeRunFolder() (created bool, err error) {
	dir := t.cfg.Out
	if t.lock == nil {
		// The lock file lives beside the folder: its parent must exist.
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
			return false, fmt.Errorf("trainer: %w", err)
		}
		if t.lock, err = lockfile.Acquire(dir); err != nil {
			return false, fmt.Errorf("trainer: %w", err)
		}
		// Again under the lock: another run may have started since.
		if err := checkEmpty(dir); err != nil {
			return false, err
		}
	}
	if err := os.Mkdir(dir, 0o755); err == nil {
		return true, nil
	} else if !errors.Is(err, os.ErrExist) {
		return false, fmt.Errorf("trainer: %w", err)
	}
	return false, nil
}

// openFiles writes config.json and opens the log and statistics files; on
// resume the statistics past the checkpoint are dropped.
func (t *trainer) openFiles(resumed bool) error {
	cfgJSON, err := json.MarshalIndent(struct {
		Config
		Arch Arch `json:"arch"`
	}{t.cfg, t.arch}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(t.cfg.Out, ConfigFile), append(cfgJSON, '\n')); err != nil {
		return err
	}
	if t.log, err = os.OpenFile(filepath.Join(t.cfg.Out, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	statsPath := filepath.Join(t.cfg.Out, StatsFile)
	var keep []byte
	if resumed {
		b, err := os.ReadFile(statsPath)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("trainer: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line struct {
				Nimg int64 `json:"nimg"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Nimg <= t.st.Nimg {
				keep = append(append(keep, sc.Bytes()...), '\n')
			}
		}
	}
	if err := os.WriteFile(statsPath, keep, 0o644); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	if t.stats, err = os.OpenFile(statsPath, os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	return nil
}

// logf writes a line to log.txt and to the configured Logger.
func (t *trainer) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Fprintln(t.log, line)
	if t.cfg.Log != nil {
		t.cfg.Log(line)
	}
}

// run is the reference's training loop (docs/trainer.md#the-loop): per
// evaluation of the schedule, MinibatchRepeats × (DRepeats D steps, each
// followed by the update of Gs, then one G step); ticks, sample grids,
// checkpoints and SWD between rounds.
func (t *trainer) run(ctx context.Context) error {
	cfg := &t.cfg
	fresh := t.st.Nimg == 0 && t.st.Tick == 0
	if fresh {
		t.logf("progan train: %s, %d×%d×%d, %d images, labels %d; G %d, D %d parameters; seed %d",
			cfg.Dataset, t.arch.Channels, t.arch.Resolution, t.arch.Resolution, t.ds.Images, t.arch.LabelSize,
			t.g.count(), t.d.count(), cfg.Seed)
	} else {
		t.logf("resumed at kimg %.1f (tick %d) to %g kimg", float64(t.st.Nimg)/1000, t.st.Tick, cfg.TotalKimg)
	}
	t.logf("device %s", t.dev)
	maint := time.Now()
	if err := t.setupSnapshots(ctx, fresh); err != nil {
		return err
	}
	total := int64(math.Round(cfg.TotalKimg * 1000))
	tickTime := time.Now()
	tickMaint := time.Since(maint).Seconds()
	for t.st.Nimg < total {
		if err := ctx.Err(); err != nil {
			t.st.Seconds += time.Since(tickTime).Seconds()
			path, serr := t.saveCheckpoint()
			if errors.Is(serr, ErrDiverged) {
				return serr // the message that matters, not "interrupted"
			} else if serr != nil {
				return errors.Join(err, serr)
			}
			t.logf("interrupted at kimg %.1f; checkpoint %s", float64(t.st.Nimg)/1000, filepath.Base(path))
			return fmt.Errorf("interrupted at kimg %.1f (resume to continue): %w", float64(t.st.Nimg)/1000, err)
		}
		s := cfg.stageAt(t.st.Nimg, t.arch.Resolution)
		if err := t.round(s); err != nil {
			return err
		}
		done := t.st.Nimg >= total
		if t.st.Nimg < t.st.TickStart+int64(math.Round(s.TickKimg*1000)) && !done {
			continue
		}
		// A tick ends.
		now := time.Now()
		tickSec := now.Sub(tickTime).Seconds()
		t.st.Seconds += tickSec
		t.st.Tick++
		kimgDone := float64(t.st.Nimg-t.st.TickStart) / 1000
		line := t.tickLine(s, tickSec, kimgDone, tickMaint)
		acc := t.st.Acc
		t.st.TickStart, t.st.Acc = t.st.Nimg, tickAcc{}
		// Updates with non-finite gradients are skipped, so the weights
		// may stay finite while the networks no longer compute anything
		// finite: a whole tick without one finite step is divergence too.
		if acc.Steps > 0 && acc.NonFinite == acc.Steps {
			if err := t.writeStats(line); err != nil {
				return err
			}
			return t.diverged(fmt.Sprintf("non-finite losses in all %d steps of tick %d", acc.Steps, t.st.Tick))
		}
		maint = time.Now()
		// Gs runs at the lod of the last round, as the reference's Gs
		// keeps the lod variable of the last step.
		lod := t.lod()
		if t.st.Tick%cfg.ImageTicks == 0 || done {
			if err := t.writeFakes(lod); err != nil {
				return err
			}
		}
		if t.st.Tick%cfg.NetworkTicks == 0 || done {
			if p, err := t.evalSWD(ctx, lod); err != nil {
				return err
			} else if p != nil {
				line["swd"], line["swd_levels"] = p.Avg, p.Levels
			}
			if _, err := t.saveCheckpoint(); err != nil {
				return err
			}
		}
		if err := t.writeStats(line); err != nil {
			return err
		}
		tickMaint = time.Since(maint).Seconds()
		tickTime = time.Now()
	}
	return t.finish()
}

// lod returns the level of detail of the last round: that of the start
// before the first.
func (t *trainer) lod() float64 {
	if t.st.PrevLOD < 0 {
		return t.cfg.stageAt(0, t.arch.Resolution).LOD
	}
	return t.st.PrevLOD
}

// round runs one evaluation of the schedule.
func (t *trainer) round(s stage) error {
	cfg := &t.cfg
	if !cfg.NoReset && (math.Floor(s.LOD) != math.Floor(t.st.PrevLOD) || math.Ceil(s.LOD) != math.Ceil(t.st.PrevLOD)) {
		t.gOpt.Reset()
		t.dOpt.Reset()
	}
	t.st.PrevLOD = s.LOD
	pos := t.st.DataPos
	if s.Resolution != t.st.DataRes {
		pos = 0 // a new tier's stream starts over
	}
	if err := t.data.configure(s.Resolution, pos); err != nil {
		return err
	}
	t.gnet, t.dnet = t.g.Net(s.LOD), t.d.Net(s.LOD)
	var steps []stepStats
	for range cfg.MinibatchRepeats {
		var st stepStats
		end := t.dev.scope() // every tensor of the D and G steps
		for range cfg.DRepeats {
			x, y, err := t.data.minibatch(s.Minibatch, t.arch.LabelSize)
			if err != nil {
				return err
			}
			processReals(x, s.LOD, cfg.Mirror, stream(cfg.Seed, purposeMirror, uint64(t.st.DSteps)))
			st = t.dStep(x, y, s.LOD, uint64(t.st.DSteps))
			t.st.DSteps++
			if !t.dOpt.Step(s.DLR) {
				st.Skipped++
			}
			nn.MovingAverage(t.gs.Params(), t.g.Params(), f32(cfg.GSmoothing))
			t.st.Nimg += int64(s.Minibatch)
		}
		st.GLoss = t.gStep(s.Minibatch, uint64(t.st.GSteps))
		t.st.GSteps++
		if !t.gOpt.Step(s.GLR) {
			st.Skipped++
		}
		if err := end(); err != nil {
			return fmt.Errorf("trainer: %s: %w", t.dev, err)
		}
		a := &t.st.Acc
		a.Steps++
		a.DLoss += st.DLoss
		a.GLoss += st.GLoss
		a.Penalty += st.Penalty
		a.RealScore += st.RealScore
		a.FakeScore += st.FakeScore
		a.Skipped += st.Skipped
		if !finite(st.DLoss) || !finite(st.GLoss) {
			a.NonFinite++
		}
		steps = append(steps, st)
	}
	t.st.DataRes, t.st.DataPos = t.data.res, t.data.pos
	if t.onRound != nil {
		t.onRound(t.st.Nimg, steps)
	}
	return nil
}

// tickLine logs a tick in the reference's format, with the mean losses,
// and returns its statistics record.
func (t *trainer) tickLine(s stage, sec, kimg, maint float64) map[string]any {
	a := t.st.Acc
	n := float64(max(a.Steps, 1))
	secPerKimg := sec / max(kimg, 1e-9)
	imgPerSec := kimg * 1000 / max(sec, 1e-9)
	t.logf("tick %-5d kimg %-8.1f lod %-5.2f minibatch %-4d time %-12s sec/tick %-7.1f sec/kimg %-7.2f img/s %-7.1f maintenance %.1f  loss D %.4f G %.4f GP %.4f",
		t.st.Tick, float64(t.st.Nimg)/1000, s.LOD, s.Minibatch, formatTime(t.st.Seconds), sec, secPerKimg, imgPerSec, maint,
		a.DLoss/n, a.GLoss/n, a.Penalty/n)
	if a.Skipped > 0 {
		t.logf("  %d updates skipped for non-finite gradients", a.Skipped)
	}
	return map[string]any{
		"tick": t.st.Tick, "nimg": t.st.Nimg, "kimg": float64(t.st.Nimg) / 1000, "lod": s.LOD,
		"resolution": s.Resolution, "minibatch": s.Minibatch, "seconds": t.st.Seconds,
		"sec_per_tick": sec, "sec_per_kimg": secPerKimg, "img_per_sec": imgPerSec, "maintenance": maint,
		"loss_d": a.DLoss / n, "loss_g": a.GLoss / n, "penalty": a.Penalty / n,
		"score_real": a.RealScore / n, "score_fake": a.FakeScore / n, "skipped": a.Skipped,
	}
}

func (t *trainer) writeStats(line map[string]any) error {
	for k, v := range line {
		// JSON has no NaN or infinity: a diverging tick's losses are null.
		if f, ok := v.(float64); ok && !finite(f) {
			line[k] = nil
		}
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	if _, err := t.stats.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	return nil
}

// formatTime formats seconds as the reference's format_time does.
func formatTime(s float64) string {
	n := int64(math.Round(s))
	switch {
	case n < 60:
		return fmt.Sprintf("%ds", n)
	case n < 3600:
		return fmt.Sprintf("%dm %02ds", n/60, n%60)
	case n < 86400:
		return fmt.Sprintf("%dh %02dm %02ds", n/3600, n/60%60, n%60)
	}
	return fmt.Sprintf("%dd %02dh %02dm", n/86400, n/3600%24, n/60%60)
}

// finish writes the final checkpoint and marks the run done.
func (t *trainer) finish() error {
	// The last tick saved a checkpoint; a resumed run already past its
	// total has the one it resumed from.
	if t.lastCkpt == "" {
		if _, err := t.saveCheckpoint(); err != nil {
			return err
		}
	}
	if err := copyFile(t.lastCkpt, filepath.Join(t.cfg.Out, FinalFile)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(t.cfg.Out, DoneFile), nil, 0o644); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	t.logf("done: %.1f kimg in %s", float64(t.st.Nimg)/1000, formatTime(t.st.Seconds))
	return nil
}

// copyFile copies src to dst atomically (temp file, sync, rename).
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	return writeAtomic(dst, b)
}
