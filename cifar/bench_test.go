package cifar

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadCIFAR10 reads a full-size CIFAR-10 (5 batches of 10 000
// images) made in the benchmark's setup: the downloaded archive, the
// unpacked python version and the unpacked binary version. Besides wall
// time it reports the process's CPU time per read (cpu-s/op, garbage
// collection included), a steadier figure on a shared machine.
func BenchmarkReadCIFAR10(b *testing.B) {
	dir := b.TempDir()
	const n = 10000
	rng := rand.New(rand.NewPCG(1, 2))
	tgz, err := os.Create(filepath.Join(dir, "cifar-10-python.tar.gz"))
	if err != nil {
		b.Fatal(err)
	}
	zw := gzip.NewWriter(tgz)
	tw := tar.NewWriter(zw)
	for k := 1; k <= 5; k++ {
		// Noise around a level per image compresses about as well as the
		// real images do (the real archive is 163 MB for 178 MB of tar).
		pix := make([]byte, n*ImageBytes)
		labels := make([]int, n)
		files := make([]string, n)
		bin := make([]byte, 0, n*(1+ImageBytes))
		for i := range n {
			img := pix[i*ImageBytes : (i+1)*ImageBytes]
			level := rng.IntN(128)
			for j := range img {
				img[j] = byte(level + rng.IntN(128))
			}
			labels[i] = rng.IntN(10)
			files[i] = fmt.Sprintf("image_s_%06d.png", rng.IntN(1000000))
		}
		pix[0], pix[1] = 0, 255
		for i := range n {
			bin = append(append(bin, byte(labels[i])), pix[i*ImageBytes:(i+1)*ImageBytes]...)
		}
		batch := cifarBatch(pix, labels, fmt.Sprintf("training batch %d of 5", k), files)
		name := fmt.Sprintf("data_batch_%d", k)
		writeFile(b, filepath.Join(dir, "py", "cifar-10-batches-py", name), batch)
		writeFile(b, filepath.Join(dir, "bin", "cifar-10-batches-bin", name+".bin"), bin)
		if err := tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-py/" + name, Mode: 0o644, Size: int64(len(batch)), Typeflag: tar.TypeReg}); err != nil {
			b.Fatal(err)
		}
		if _, err := tw.Write(batch); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, zw, tgz} {
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for _, bm := range []struct{ name, path string }{
		{"python.tar.gz", filepath.Join(dir, "cifar-10-python.tar.gz")},
		{"python", filepath.Join(dir, "py")},
		{"binary", filepath.Join(dir, "bin")},
	} {
		b.Run(bm.name, func(b *testing.B) {
			runs, cpu := 0, cpuTime()
			for b.Loop() {
				d, err := ReadCIFAR10(bm.path)
				if err != nil {
					b.Fatal(err)
				}
				if err := d.Check(CIFARImages, false); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(runs*CIFARImages)/b.Elapsed().Seconds(), "images/s")
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(cpu.Seconds()/float64(runs), "cpu-s/op")
			}
		})
	}
}
