package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"io/fs"
	"iter"
	"path/filepath"
	"strings"
	"time"

	"github.com/progan/progan/cmd/progan/internal/imageset"
	"github.com/progan/progan/cmd/progan/internal/progress"
	"github.com/progan/progan/fidelity"
	"github.com/progan/progan/inception"
	"github.com/progan/progan/trainer"
)

// The Inception metrics: progan fid, kid and is.

const (
	inceptionInputs = "Inputs are folders of images (any size and mode; sorted names), datasets\n" +
		"(full-resolution tier, or --tier R) or .zip files of images. The weights are\n" +
		"torch-fidelity's " + inception.TorchFidelityFile + " (or pytorch-fid's\n" +
		"file): --weights FILE, $" + inception.WeightsEnv + ", the cache folder or PyTorch\n" +
		"hub's checkpoints folder; --download fetches it when missing."
	inceptionCache = "\nThe REALS' statistics are cached (--no-cache to skip)."
	inceptionModel = "\nFAKES may also be a 'progan train' run folder or checkpoint: its generator's\n" +
		"first --num images (seed --sample-seed, as 'progan generate') are scored\n" +
		"without writing them."
)

type inceptionOpts struct {
	weights    string
	protocol   string
	num        int
	tier       int
	workers    int
	noCache    bool
	download   bool
	json       bool
	sampleSeed uint64
}

func (o *inceptionOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&o.weights, "weights", "", "Inception v3 weights file (.pth or .safetensors); default: $"+inception.WeightsEnv+" or the cache")
	fs.StringVar(&o.protocol, "protocol", string(inception.TorchFidelity), "input resize and scaling: torch-fidelity or pytorch-fid")
	fs.IntVar(&o.num, "num", 0, "use the first N images of each set (0: all)")
	fs.IntVar(&o.tier, "tier", 0, "dataset tier to read (default: full resolution)")
	fs.IntVar(&o.workers, "workers", 0, "goroutines running the network (0: all cores)")
	fs.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the cached statistics of REALS")
	fs.BoolVar(&o.download, "download", false, "when no weights file is found, download torch-fidelity's into the cache folder (checked by its SHA-256)")
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.Uint64Var(&o.sampleSeed, "sample-seed", 0, "latents' seed when FAKES (IMAGES for is) is a trained network")
}

func (o *inceptionOpts) check() error {
	switch {
	case o.num < 0:
		return fmt.Errorf("--num %d: want 0 (all) or more: %w", o.num, errUsage)
	case o.workers < 0 || o.workers > 256:
		return fmt.Errorf("--workers %d: want 0 to 256: %w", o.workers, errUsage)
	case o.tier < 0:
		return fmt.Errorf("--tier %d: want a resolution: %w", o.tier, errUsage)
	}
	for _, p := range inception.Protocols() {
		if o.protocol == string(p) {
			return nil
		}
	}
	return fmt.Errorf("--protocol %q: want torch-fidelity or pytorch-fid: %w", o.protocol, errUsage)
}

func init() {
	register(&command{
		name: "fid",
		args: "REALS FAKES",
		summary: "Fréchet Inception Distance between FAKES and REALS, the number torch-fidelity\n" +
			"(and the TensorFlow original) gives with the same weights: Inception v3 pool\n" +
			"features, their means and covariances (lower is better).\n" + inceptionInputs,
		example: "progan fid --weights " + inception.TorchFidelityFile + " datasets/cifar10 fakes/\n" +
			"progan fid --num 10000 --json datasets/celebahq samples.zip\n" +
			"progan fid --num 50000 datasets/cifar10 runs/cifar10/network-final.safetensors",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o inceptionOpts
			o.register(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 2, "REALS and FAKES"); err != nil {
					return err
				}
				return scoreFID(ctx, e, args[0], args[1], o)
			}
		},
	})
	register(&command{
		name: "kid",
		args: "REALS FAKES",
		summary: "Kernel Inception Distance between FAKES and REALS as torch-fidelity computes it:\n" +
			"the unbiased squared MMD of Inception v3 pool features with the kernel\n" +
			"(x·y/2048 + 1)³, mean and standard deviation over --subsets random subsets of\n" +
			"--subset-size drawn with numpy's RandomState(--seed), FAKES first.\n" + inceptionInputs + inceptionCache + inceptionModel,
		example: "progan kid datasets/cifar10 fakes/\n" +
			"progan kid --subsets 100 --subset-size 1000 --json datasets/lsun-cat fakes.zip",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o inceptionOpts
			o.register(fs)
			subsets := fs.Int("subsets", 100, "number of random subsets")
			size := fs.Int("subset-size", 1000, "images per subset (at most the smaller set)")
			seed := fs.Int64("seed", 2020, "numpy RandomState seed of the subsets")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 2, "REALS and FAKES"); err != nil {
					return err
				}
				if *subsets < 1 || *subsets > 1e6 {
					return fmt.Errorf("--subsets %d: want 1 to 1000000: %w", *subsets, errUsage)
				}
				if *size < 2 || *size > 1e6 {
					return fmt.Errorf("--subset-size %d: want 2 to 1000000: %w", *size, errUsage)
				}
				if *seed < 0 || *seed > 1<<32-1 {
					return fmt.Errorf("--seed %d: want 0 to 2³²−1 (a numpy RandomState seed): %w", *seed, errUsage)
				}
				kopt := fidelity.KIDOptions{Subsets: *subsets, SubsetSize: *size, Seed: uint64(*seed), Seeded: true}
				return scoreKID(ctx, e, args[0], args[1], o, kopt)
			}
		},
	})
	register(&command{
		name: "is",
		args: "IMAGES",
		summary: "Inception Score of IMAGES as torch-fidelity computes it: softmax of the\n" +
			"Inception v3 logits (without the last bias), images shuffled with numpy's\n" +
			"RandomState(--seed) and cut into --splits, exp of the mean KL divergence to\n" +
			"each split's marginal; mean and standard deviation over the splits (higher\n" +
			"is better).\n" + inceptionInputs + strings.Replace(inceptionModel, "FAKES", "IMAGES", 1),
		example: "progan is fakes/\nprogan is --splits 10 --json samples.zip",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o inceptionOpts
			o.register(fs)
			splits := fs.Int("splits", 10, "number of splits")
			seed := fs.Int64("seed", 2020, "numpy RandomState seed of the shuffle")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one IMAGES folder, dataset or zip"); err != nil {
					return err
				}
				if *splits < 1 || *splits > 1e6 {
					return fmt.Errorf("--splits %d: want 1 to 1000000: %w", *splits, errUsage)
				}
				if *seed < 0 || *seed > 1<<32-1 {
					return fmt.Errorf("--seed %d: want 0 to 2³²−1 (a numpy RandomState seed): %w", *seed, errUsage)
				}
				return scoreIS(ctx, e, args[0], o, fidelity.ISOptions{Splits: *splits, Seed: uint64(*seed), Seeded: true})
			}
		},
	})
}

// scorer holds what the three commands share: the opened sets, the
// model, the progress bar.
type scorer struct {
	e     *env
	o     inceptionOpts
	name  string
	model *inception.Model
	bar   *progress.Bar
	start time.Time
}

// input is an image set to score: a folder, dataset or zip (set), or a
// trainer run folder or checkpoint whose generator is sampled on the fly
// (gen).
type input struct {
	path string
	n    int
	set  *imageset.Set
	gen  *trainer.Model
	seed uint64
}

// isModel reports whether path is a trainer checkpoint or run folder.
func isModel(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".safetensors") {
		return true
	}
	_, _, err := trainer.Saved(path)
	return err == nil
}

// open opens path as an image set or, when models is set and path is a
// trainer run or checkpoint, as its generator's first --num images.
func (s *scorer) open(path string, models bool) (*input, error) {
	if models && isModel(path) {
		if s.o.num <= 0 {
			return nil, fmt.Errorf("%s is a trained network: --num N says how many images to generate and score: %w", path, errUsage)
		}
		m, err := trainer.Load(path)
		if err != nil {
			return nil, err
		}
		if m.Arch.Channels != 1 && m.Arch.Channels != 3 {
			return nil, fmt.Errorf("%s: generates %d channels: FID, KID and IS need gray or RGB images", path, m.Arch.Channels)
		}
		return &input{path: m.Path, n: s.o.num, gen: m, seed: s.o.sampleSeed}, nil
	}
	set, err := imageset.Open(path, imageset.Options{Tier: s.o.tier})
	if err != nil {
		return nil, err
	}
	n := set.Count
	if s.o.num > 0 && s.o.num < n {
		n = s.o.num
	} else if s.o.num > n {
		fmt.Fprintf(s.e.stderr, "progan %s: warning: %s has %d images, fewer than --num %d: using all %d\n", s.name, path, n, s.o.num, n)
	}
	return &input{path: path, n: n, set: set}, nil
}

// images streams the input's n images.
func (in *input) images(ctx context.Context) iter.Seq2[image.Image, error] {
	if in.set != nil {
		return in.set.AnyRange(ctx, 0, in.n)
	}
	opt := trainer.GenerateOptions{Seed: in.seed}
	if in.gen.Arch.LabelSize > 0 {
		opt.Class = -1 // a class drawn for every image
	}
	return func(yield func(image.Image, error) bool) {
		for img, err := range in.gen.Generate(ctx, in.n, opt) {
			if !yield(img, err) || err != nil {
				return
			}
		}
	}
}

func (in *input) Close() error {
	if in.set != nil {
		return in.set.Close()
	}
	return nil
}

func (s *scorer) load(ctx context.Context) error {
	path, err := inception.FindWeights(s.o.weights)
	if errors.Is(err, inception.ErrNoWeights) && s.o.download {
		path, err = s.fetch(ctx)
	} else if errors.Is(err, inception.ErrNoWeights) {
		return fmt.Errorf("%w, pass --weights FILE, or --download to fetch it", err)
	}
	if err != nil {
		return err
	}
	s.model, err = inception.Load(path)
	return err
}

// fetch downloads torch-fidelity's weights into the cache folder.
func (s *scorer) fetch(ctx context.Context) (string, error) {
	dir, err := inception.CacheDir()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(s.e.stderr, "progan %s: downloading %s into %s\n", s.name, inception.TorchFidelityURL, dir)
	var bar *progress.Bar
	p, err := inception.Download(ctx, inception.TorchFidelityURL, dir,
		func(n int64) { bar = s.e.bar("download", int(max(n, 0)), "bytes") },
		func(n int) { bar.Add(n) })
	if bar != nil {
		bar.Finish()
	}
	return p, err
}

// run streams the input's images through the network.
func (s *scorer) run(ctx context.Context, in *input, each func(inception.Output) error) error {
	workers := s.o.workers
	for out, err := range s.model.Stream(ctx, in.images(ctx), inception.Protocol(s.o.protocol), workers) {
		if err != nil {
			return err
		}
		if err := each(out); err != nil {
			return err
		}
		s.bar.Add(1)
	}
	return nil
}

// cacheKey names the cached results of kind for the first n images of a
// set under this model and protocol.
func (s *scorer) cacheKey(ctx context.Context, in *input, kind string) (string, error) {
	h, err := in.set.Hash(ctx, in.n)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{"progan inception cache v1", kind, h, s.o.protocol, s.model.Digest()}, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

func (s *scorer) cache() (fidelity.Cache, bool) {
	if s.o.noCache {
		return fidelity.Cache{}, false
	}
	d, err := inception.CacheDir()
	if err != nil {
		return fidelity.Cache{}, false
	}
	return fidelity.Cache{Dir: d}, true
}

// cached gets what kind names for the input from the cache when cached is
// set and the input is an image set (get reports a hit, or an error for an
// entry that does not fit), and otherwise computes it and, for an image
// set, stores it with put. A damaged entry is reported, recomputed and
// replaced.
func (s *scorer) cached(ctx context.Context, in *input, kind string, cached bool,
	get func(c fidelity.Cache, key string) error, compute func() error, put func(c fidelity.Cache, key string) error) (hit bool, err error) {
	c, ok := s.cache()
	var key string
	if cached && ok && in.set != nil {
		if key, err = s.cacheKey(ctx, in, kind); err != nil {
			return false, err
		}
		err := get(c, key)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(s.e.stderr, "progan %s: warning: ignoring the cache: %v\n", s.name, err)
		}
	}
	if err := compute(); err != nil {
		return false, err
	}
	if key != "" {
		if err := put(c, key); err != nil {
			fmt.Fprintf(s.e.stderr, "progan %s: warning: not cached: %v\n", s.name, err)
		}
	}
	return false, nil
}

// stats returns the FID statistics of the input's images, from the cache
// as cached says.
func (s *scorer) stats(ctx context.Context, in *input, cached bool) (st *fidelity.Stats, hit bool, err error) {
	hit, err = s.cached(ctx, in, "stats", cached,
		func(c fidelity.Cache, key string) error {
			if st, err = c.Stats(key); err == nil && (st.N != in.n || st.Dim != inception.PoolDim) {
				// Well-formed but not what the key promises: damaged.
				err = fmt.Errorf("statistics %s of %d vectors of %d features, want %d of %d", key, st.N, st.Dim, in.n, inception.PoolDim)
			}
			return err
		},
		func() error {
			acc := fidelity.NewAccumulator(inception.PoolDim)
			if err := s.run(ctx, in, func(o inception.Output) error { acc.Add(o.Pool); return nil }); err != nil {
				return err
			}
			st, err = acc.Stats()
			return err
		},
		func(c fidelity.Cache, key string) error { return c.PutStats(key, st) })
	return st, hit, err
}

// features returns the pool features of the input's images, from the
// cache as cached says.
func (s *scorer) features(ctx context.Context, in *input, cached bool) (f []float32, hit bool, err error) {
	hit, err = s.cached(ctx, in, "features", cached,
		func(c fidelity.Cache, key string) error {
			var m, dim int
			if f, m, dim, err = c.Features(key); err == nil && (m != in.n || dim != inception.PoolDim) {
				err = fmt.Errorf("features %s: %d vectors of %d values, want %d of %d", key, m, dim, in.n, inception.PoolDim)
			}
			return err
		},
		func() error {
			f = make([]float32, 0, in.n*inception.PoolDim)
			return s.run(ctx, in, func(o inception.Output) error { f = append(f, o.Pool...); return nil })
		},
		func(c fidelity.Cache, key string) error { return c.PutFeatures(key, f, in.n, inception.PoolDim) })
	return f, hit, err
}

type setInfo struct {
	Path       string  `json:"path"`
	Images     int     `json:"images"`
	Cached     bool    `json:"cached,omitempty"`
	Generated  bool    `json:"generated,omitempty"` // sampled from a trained network
	SampleSeed *uint64 `json:"sample_seed,omitempty"`
}

func (i setInfo) String() string {
	if i.Generated {
		return fmt.Sprintf("%d images generated by %s (seed %d)", i.Images, i.Path, *i.SampleSeed)
	}
	s := fmt.Sprintf("%d images of %s", i.Images, i.Path)
	if i.Cached {
		s += " (cached)"
	}
	return s
}

func (in *input) info() setInfo {
	if in.gen != nil {
		seed := in.seed
		return setInfo{Path: in.path, Images: in.n, Generated: true, SampleSeed: &seed}
	}
	return setInfo{Path: in.path, Images: in.n}
}

func newScorer(e *env, name string, o inceptionOpts) (*scorer, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return &scorer{e: e, o: o, name: name, start: time.Now()}, nil
}

type fidResult struct {
	FID      float64 `json:"fid"`
	Reals    setInfo `json:"reals"`
	Fakes    setInfo `json:"fakes"`
	Protocol string  `json:"protocol"`
}

// pair is REALS and FAKES opened for FID or KID.
type pair struct {
	s            *scorer
	reals, fakes *input
}

func openPair(e *env, name, realsPath, fakesPath string, o inceptionOpts) (*pair, error) {
	s, err := newScorer(e, name, o)
	if err != nil {
		return nil, err
	}
	reals, err := s.open(realsPath, false)
	if err != nil {
		return nil, err
	}
	fakes, err := s.open(fakesPath, true)
	if err != nil {
		reals.Close()
		return nil, err
	}
	return &pair{s, reals, fakes}, nil
}

func (p *pair) Close() {
	p.reals.Close()
	p.fakes.Close()
}

// runPair loads the network and computes each set's part (REALS' from the
// cache when there) under one progress bar.
func runPair[T any](ctx context.Context, p *pair, each func(in *input, cached bool) (T, bool, error)) (reals, fakes T, hit bool, err error) {
	s := p.s
	if err := s.load(ctx); err != nil {
		return reals, fakes, false, err
	}
	s.bar = s.e.bar(s.name, p.reals.n+p.fakes.n, "images")
	defer s.bar.Finish()
	if reals, hit, err = each(p.reals, true); err != nil {
		return reals, fakes, hit, err
	}
	if hit {
		s.bar.Add(p.reals.n)
	}
	fakes, _, err = each(p.fakes, false)
	return reals, fakes, hit, err
}

func (p *pair) realsInfo(hit bool) setInfo {
	return setInfo{Path: p.reals.path, Images: p.reals.n, Cached: hit}
}

func scoreFID(ctx context.Context, e *env, realsPath, fakesPath string, o inceptionOpts) error {
	p, err := openPair(e, "fid", realsPath, fakesPath, o)
	if err != nil {
		return err
	}
	defer p.Close()
	if p.reals.n < 2 || p.fakes.n < 2 {
		return fmt.Errorf("too few images: %d reals, %d fakes (FID needs 2 of each)", p.reals.n, p.fakes.n)
	}
	rs, fsx, hit, err := runPair(ctx, p, func(in *input, cached bool) (*fidelity.Stats, bool, error) {
		return p.s.stats(ctx, in, cached)
	})
	if err != nil {
		return err
	}
	fid, err := fidelity.FID(fsx, rs)
	if err != nil {
		return err
	}
	r := fidResult{fid, p.realsInfo(hit), p.fakes.info(), o.protocol}
	if o.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "FID %.4f\nfakes: %v\nreals: %v\n%s protocol, %.1fs\n", fid, r.Fakes, r.Reals, o.protocol, time.Since(p.s.start).Seconds())
	return nil
}

type kidResult struct {
	KID        float64 `json:"kid"`
	KIDStd     float64 `json:"kid_std"`
	Subsets    int     `json:"subsets"`
	SubsetSize int     `json:"subset_size"`
	Reals      setInfo `json:"reals"`
	Fakes      setInfo `json:"fakes"`
	Protocol   string  `json:"protocol"`
}

func scoreKID(ctx context.Context, e *env, realsPath, fakesPath string, o inceptionOpts, kopt fidelity.KIDOptions) error {
	p, err := openPair(e, "kid", realsPath, fakesPath, o)
	if err != nil {
		return err
	}
	defer p.Close()
	nr, nf := p.reals.n, p.fakes.n
	if nr < kopt.SubsetSize || nf < kopt.SubsetSize {
		return fmt.Errorf("--subset-size %d is larger than a set (%d reals, %d fakes): %w", kopt.SubsetSize, nr, nf, errUsage)
	}
	rf, ff, hit, err := runPair(ctx, p, func(in *input, cached bool) ([]float32, bool, error) {
		return p.s.features(ctx, in, cached)
	})
	if err != nil {
		return err
	}
	sb := e.bar("kid subsets", kopt.Subsets, "subsets")
	kopt.Progress = sb.Add
	kid, std, err := fidelity.KID(ff, nf, rf, nr, inception.PoolDim, kopt)
	sb.Finish()
	if err != nil {
		return err
	}
	r := kidResult{kid, std, kopt.Subsets, kopt.SubsetSize, p.realsInfo(hit), p.fakes.info(), o.protocol}
	if o.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "KID %.6g ± %.6g (%d subsets of %d)\nfakes: %v\nreals: %v\n%s protocol, %.1fs\n", kid, std, kopt.Subsets, kopt.SubsetSize, r.Fakes, r.Reals, o.protocol, time.Since(p.s.start).Seconds())
	return nil
}

type isResult struct {
	IS       float64 `json:"is"`
	ISStd    float64 `json:"is_std"`
	Splits   int     `json:"splits"`
	Images   setInfo `json:"images"`
	Protocol string  `json:"protocol"`
}

func scoreIS(ctx context.Context, e *env, path string, o inceptionOpts, iopt fidelity.ISOptions) error {
	s, err := newScorer(e, "is", o)
	if err != nil {
		return err
	}
	set, err := s.open(path, true)
	if err != nil {
		return err
	}
	defer set.Close()
	n := set.n
	acc, err := fidelity.NewISAccumulator(n, inception.NumClasses, iopt)
	if err != nil {
		return fmt.Errorf("%s: %v: %w", path, err, errUsage)
	}
	if err := s.load(ctx); err != nil {
		return err
	}
	s.bar = e.bar("is", n, "images")
	err = s.run(ctx, set, func(out inception.Output) error { return acc.Add(out.Logits) })
	s.bar.Finish()
	if err != nil {
		return err
	}
	mean, std, err := acc.Score()
	if err != nil {
		return err
	}
	r := isResult{mean, std, iopt.Splits, set.info(), o.protocol}
	if o.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "IS %.4f ± %.4f (%d splits)\nimages: %v\n%s protocol, %.1fs\n", mean, std, iopt.Splits, r.Images, o.protocol, time.Since(s.start).Seconds())
	return nil
}
