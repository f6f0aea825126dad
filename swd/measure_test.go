package swd

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestMeasure times Distance on the images testdata/time_oracle.py times
// swdref.swd on (gen.py's smooth and perturb, rebuilt bit for bit), in
// both modes, and prints one JSON line. It runs only when asked:
//
//	SWD_MEASURE=1024,128,5 go test ./swd/ -run TestMeasure -v -timeout 20m
//
// (n images of res², seed). SWD_NF=1 scores the reals against a second
// set of reals (gen.smooth(n, res, 11)) instead of the perturbed fakes;
// SWD_COMPACT=1 adds a run with numpy draws but the default mode's 16-bit
// storage; SWD_SEEDS=k (SWD_NPSEEDS=k) adds k default-mode (Numpy-mode)
// runs with seeds 100, 101, ... and their mean and standard deviation.
func TestMeasure(t *testing.T) {
	spec := os.Getenv("SWD_MEASURE")
	if spec == "" {
		t.Skip()
	}
	var n, res int
	var seed uint64
	fmt.Sscanf(spec, "%d,%d,%d", &n, &res, &seed)
	reals := smooth(n, res, 1)
	fakes := perturb(smooth(n, res, 2), 3)
	if os.Getenv("SWD_NF") != "" {
		fakes = smooth(n, res, 11)
	}
	out := map[string]any{"n": n, "res": res}
	modes := []bool{true, false}
	switch os.Getenv("SWD_MODE") { // one mode per process: no memory reused from the other
	case "numpy":
		modes = modes[:1]
	case "fast":
		modes = modes[1:]
	}
	for _, numpy := range modes {
		t0 := time.Now()
		r, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: seed, Numpy: numpy})
		if err != nil {
			t.Fatal(err)
		}
		out["numpy="+strconv.FormatBool(numpy)] = map[string]any{"seconds": time.Since(t0).Seconds(), "swd": r.SWD, "avg": r.Avg}
	}
	if os.Getenv("SWD_COMPACT") != "" { // numpy draws, default-mode storage
		r, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: seed, Numpy: true, compact: true})
		if err != nil {
			t.Fatal(err)
		}
		out["compact"] = map[string]any{"swd": r.SWD, "avg": r.Avg}
	}
	for _, numpy := range []bool{false, true} {
		k, _ := strconv.Atoi(os.Getenv("SWD_SEEDS"))
		if numpy {
			k, _ = strconv.Atoi(os.Getenv("SWD_NPSEEDS"))
		}
		if k == 0 {
			continue
		}
		var runs [][]float64
		for s := range uint64(k) {
			r, err := Distance(context.Background(), stream(reals), stream(fakes), Options{Seed: 100 + s, Numpy: numpy})
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, append(r.SWD, r.Avg))
		}
		L := len(runs[0])
		mean, sd := make([]float64, L), make([]float64, L)
		for _, r := range runs {
			for l, v := range r {
				mean[l] += v / float64(k)
			}
		}
		for _, r := range runs {
			for l, v := range r {
				sd[l] += (v - mean[l]) * (v - mean[l]) / float64(k-1)
			}
		}
		for l := range sd {
			sd[l] = math.Sqrt(sd[l])
		}
		name := "fast_seeds"
		if numpy {
			name = "numpy_seeds"
		}
		out[name] = map[string]any{"runs": runs, "mean": mean, "sd": sd}
	}
	b, _ := json.Marshal(out)
	fmt.Println("MEASURE", string(b))
}
