package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/progan/progan/cifar"
	"github.com/progan/progan/mnist"
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

// job builds the packJob of cmd for src, an in-memory dataset stored in
// the original's shuffled order.
func (o *arrayOpts) job(cmd string, src pyramid.Source) (packJob, error) {
	comp, err := o.check()
	if err != nil {
		return packJob{}, err
	}
	return packJob{cmd: cmd, out: o.out, src: src, json: o.json,
		opt: pyramid.PackOptions{Compression: comp, Resume: o.resume}}, nil
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
				if err := partialHint(s.Check(mnist.Images, o.allowPartial)); err != nil {
					return err
				}
				j, err := o.job("mnist", s.Source("mnist", args[0], uint64(o.seed)))
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
				if err := partialHint(s.Check(mnist.Images, o.allowPartial)); err != nil {
					return err
				}
				j := packJob{cmd: "mnistrgb", out: o.out, src: s.RGBSource(args[0], num, uint64(o.seed)), json: o.json,
					opt: pyramid.PackOptions{Compression: comp}}
				return runPack(ctx, e, j)
			}
		},
	})
}

// partialHint adds the flag that accepts a subset to a check's error about
// one.
func partialHint(err error) error {
	if errors.Is(err, mnist.ErrPartial) || errors.Is(err, cifar.ErrPartial) {
		return fmt.Errorf("%w (--allow-partial accepts a subset)", err)
	}
	return err
}
