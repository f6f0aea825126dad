package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image"
	"iter"
	"os"

	"github.com/progan/progan/internal/mnist"
	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/pyramid"
)

// arrayOpts are the flags of the commands that pack an in-memory dataset
// (mnist, cifar10, cifar100, svhn).
type arrayOpts struct {
	out, compress              string
	seed                       int64
	allowPartial, json, resume bool
}

func (o *arrayOpts) register(fs *flag.FlagSet, partial string) {
	fs.StringVar(&o.out, "o", "", "output dataset folder (required; must not exist or be empty)")
	fs.Int64Var(&o.seed, "seed", 123, "seed of the shuffled order (the original's is 123)")
	fs.BoolVar(&o.allowPartial, "allow-partial", false, "accept "+partial)
	fs.StringVar(&o.compress, "compress", "none", "compress tier files: none, gzip or zlib")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.resume, "resume", false, "continue an interrupted run of the same command")
}

// check validates -o, --seed and --compress.
func (o *arrayOpts) check() (pyramid.Compression, error) {
	if o.out == "" {
		return "", fmt.Errorf("-o is required: %w", errUsage)
	}
	if err := checkSeed(o.seed); err != nil {
		return "", err
	}
	comp, err := pyramid.ParseCompression(o.compress)
	if err != nil {
		return "", fmt.Errorf("%v: %w", err, errUsage)
	}
	return comp, nil
}

// arrayJob builds the packJob for n in-memory images stored in the
// original's shuffled order; img and label give input i.
func (o *arrayOpts) job(cmd, source string, files []string, n int, img func(i int) image.Image, label func(i int) []float32) (packJob, error) {
	comp, err := o.check()
	if err != nil {
		return packJob{}, err
	}
	fp, err := filesFingerprint(fmt.Sprintf("%s\x00%d\x00%s\x00%d", cmd, o.seed, o.compress, n), files)
	if err != nil {
		return packJob{}, err
	}
	seed := o.seed
	order := nprand.New(uint32(seed)).Permutation(n)
	j := packJob{cmd: cmd, out: o.out, inputs: n, resume: o.resume, json: o.json,
		opt: pyramid.Options{Compression: comp, Order: "shuffled", Seed: &seed, Source: source, Fingerprint: fp}}
	j.items = func(ctx context.Context, done, _ int) iter.Seq2[packItem, error] {
		return func(yield func(packItem, error) bool) {
			for _, i := range order[done:] {
				if err := ctx.Err(); err != nil {
					yield(packItem{}, err)
					return
				}
				it := packItem{name: fmt.Sprintf("%s image %d", source, i), img: img(i)}
				if label != nil {
					it.label = label(i)
				}
				if !yield(it, nil) {
					return
				}
			}
		}
	}
	return j, nil
}

// filesFingerprint hashes settings and the names, sizes and modification
// times of the input files, so --resume continues only the same run.
func filesFingerprint(settings string, files []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", settings)
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, st.Size(), st.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func init() {
	register(&command{
		name: "mnist",
		args: "MNIST_DIR",
		summary: "pack the 60 000 MNIST training digits as the original's create_mnist: zero-padded\n" +
			"to 1×32×32, one-hot labels, shuffled. MNIST_DIR holds train-images-idx3-ubyte.gz and\n" +
			"train-labels-idx1-ubyte.gz (or the unpacked files); Fashion-MNIST works the same way.",
		example: "progan mnist -o datasets/mnist ~/downloads/mnist",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o arrayOpts
			o.register(fs, "fewer or more than 60 000 images")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one MNIST_DIR"); err != nil {
					return err
				}
				if _, err := o.check(); err != nil {
					return err
				}
				s, err := mnist.ReadDir(args[0])
				if err != nil {
					return err
				}
				if err := s.Check(mnist.Images, o.allowPartial); err != nil {
					return err
				}
				j, err := o.job("mnist", args[0], s.Sources, s.N,
					func(i int) image.Image { return s.Image(i) }, s.OneHot)
				if err != nil {
					return err
				}
				return runPack(ctx, e, j)
			}
		},
	})
	register(&command{
		name: "mnistrgb",
		args: "MNIST_DIR",
		summary: "pack the original's create_mnistrgb: 3×32×32 images whose red, green and blue\n" +
			"channels are three random MNIST digits, drawn as numpy's\n" +
			"RandomState(seed).randint(60000, size=3) draws them. No labels, no shuffle.",
		example: "progan mnistrgb --num-images 1000000 --seed 123 -o datasets/mnistrgb ~/downloads/mnist",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o arrayOpts
			var num int
			fs.StringVar(&o.out, "o", "", "output dataset folder (required; must not exist or be empty)")
			fs.IntVar(&num, "num-images", 1000000, fmt.Sprintf("number of images, at most %d", maxNumImages))
			fs.Int64Var(&o.seed, "seed", 123, "seed of the digit draws")
			fs.BoolVar(&o.allowPartial, "allow-partial", false, "accept fewer or more than 60 000 digits")
			fs.StringVar(&o.compress, "compress", "none", "compress tier files: none, gzip or zlib")
			fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if err := wantArgs(args, 1, "one MNIST_DIR"); err != nil {
					return err
				}
				if num < 1 || num > maxNumImages {
					return fmt.Errorf("--num-images %d: want 1 to %d: %w", num, maxNumImages, errUsage)
				}
				comp, err := o.check()
				if err != nil {
					return err
				}
				s, err := mnist.ReadDir(args[0])
				if err != nil {
					return err
				}
				if err := s.Check(mnist.Images, o.allowPartial); err != nil {
					return err
				}
				seed := o.seed
				j := packJob{cmd: "mnistrgb", out: o.out, inputs: num, json: o.json,
					opt: pyramid.Options{Compression: comp, Order: "random digits", Seed: &seed, Source: args[0]}}
				j.items = func(ctx context.Context, _, _ int) iter.Seq2[packItem, error] {
					return func(yield func(packItem, error) bool) {
						rs := nprand.New(uint32(seed))
						for k := range num {
							if err := ctx.Err(); err != nil {
								yield(packItem{}, err)
								return
							}
							if !yield(packItem{name: fmt.Sprintf("image %d", k), img: s.RGB(rs)}, nil) {
								return
							}
						}
					}
				}
				return runPack(ctx, e, j)
			}
		},
	})
}
