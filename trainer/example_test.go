package trainer_test

import (
	"context"
	"fmt"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/trainer"
)

// A short demonstration run on a packed dataset: about a minute on two
// cores, writing sample grids, SWD and a checkpoint to the run folder.
func ExampleTrain() {
	cfg := trainer.QuickConfig("datasets/shapes", "runs/quick")
	cfg.Log = func(line string) { fmt.Println(line) }
	if err := trainer.Train(context.Background(), cfg); err != nil {
		log.Fatal(err)
	}
	// Later, or after an interruption: continue the same run further.
	resume := trainer.Config{Out: "runs/quick", Resume: true, TotalKimg: 6}
	if err := trainer.Train(context.Background(), resume); err != nil {
		log.Fatal(err)
	}
}

// Samples of the newest checkpoint of a run, as PNG files.
func ExampleLoad() {
	m, err := trainer.Load("runs/quick")
	if err != nil {
		log.Fatal(err)
	}
	i := 0
	for img, err := range m.Generate(context.Background(), 64, trainer.GenerateOptions{Seed: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		f, err := os.Create(filepath.Join("fakes", fmt.Sprintf("%06d.png", i)))
		if err != nil {
			log.Fatal(err)
		}
		png.Encode(f, img.Interleaved())
		f.Close()
		i++
	}
}
