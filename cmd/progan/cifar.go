package main

import (
	"context"
	"flag"

	"github.com/progan/progan/cifar"
)

func init() {
	for _, c := range []struct {
		name, what, files, example, partial string
		want                                int
		read                                func(string) (*cifar.Dataset, error)
	}{
		{"cifar10", "CIFAR-10 (50 000 training images) as the original's create_cifar10",
			"the python version (cifar-10-python.tar.gz, or its folder cifar-10-batches-py with\n" +
				"data_batch_1..5) or the binary version (cifar-10-binary.tar.gz, data_batch_N.bin);\n" +
				"archives are read directly, without unpacking.",
			"progan cifar10 -o datasets/cifar10 ~/downloads/cifar-10-python.tar.gz",
			"fewer batches than the five", cifar.CIFARImages, cifar.ReadCIFAR10},
		{"cifar100", "CIFAR-100 (50 000 training images, fine labels) as create_cifar100",
			"cifar-100-python.tar.gz (or its folder with train) or cifar-100-binary.tar.gz\n" +
				"(train.bin); archives are read directly.",
			"progan cifar100 -o datasets/cifar100 ~/downloads/cifar-100-python.tar.gz",
			"a number of images other than 50 000", cifar.CIFARImages, cifar.ReadCIFAR100},
		{"svhn", "SVHN (73 257 training images) as the original's create_svhn",
			"NVIDIA's train_1.pkl..train_3.pkl (what the original reads) or the official\n" +
				"train_32x32.mat (label 10 becomes the digit 0).",
			"progan svhn -o datasets/svhn ~/downloads/svhn",
			"a number of images other than 73 257", cifar.SVHNImages, cifar.ReadSVHN},
	} {
		register(&command{
			name: c.name,
			args: "PATH",
			summary: "pack " + c.what + ":\n" +
				"3×32×32 images, one-hot labels, in the original's shuffled order. PATH is\n" + c.files,
			example: c.example,
			flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
				var o arrayOpts
				o.register(fs, c.partial)
				return func(ctx context.Context, e *env, args []string) error {
					if err := wantArgs(args, 1, "one PATH"); err != nil {
						return err
					}
					if _, err := o.check(); err != nil {
						return err
					}
					d, err := c.read(args[0])
					if err != nil {
						return err
					}
					if err := partialHint(d.Check(c.want, o.allowPartial)); err != nil {
						return err
					}
					j, err := o.job(c.name, d.Source(c.name, args[0], uint64(o.seed)))
					if err != nil {
						return err
					}
					return runPack(ctx, e, j)
				}
			},
		})
	}
}
