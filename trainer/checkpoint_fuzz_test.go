package trainer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/progan/progan/trainer/safetensors"
)

// TestShapes checks the shapes that checkpoints are checked against
// before a network is built with those of the networks built.
func TestShapes(t *testing.T) {
	for _, a := range []Arch{
		refArch(1024),
		{Resolution: 8, Channels: 3, LatentSize: 8, FmapBase: 16, FmapMax: 8, MbstdGroup: 4},
		{Resolution: 32, Channels: 1, LabelSize: 10, LatentSize: 7, FmapBase: 64, FmapMax: 32, MbstdGroup: 1},
	} {
		for _, n := range []struct {
			net    *network
			shapes []paramShape
		}{{&newGenerator(a, nil).network, a.generatorShapes()}, {&newDiscriminator(a, nil).network, a.discriminatorShapes()}} {
			if len(n.net.params) != len(n.shapes) {
				t.Fatalf("%+v: %d shapes for %d parameters", a, len(n.shapes), len(n.net.params))
			}
			for i, p := range n.net.params {
				if s := n.shapes[i]; s.name != p.name || !slices.Equal(s.shape, p.p.Shape) {
					t.Errorf("%+v: shape %s %v, parameter %s %v", a, s.name, s.shape, p.name, p.p.Shape)
				}
			}
			if shapeValues(n.shapes) != int64(n.net.count()) {
				t.Errorf("%+v: %d values, network %d", a, shapeValues(n.shapes), n.net.count())
			}
		}
	}
	huge := Arch{Resolution: 1024, Channels: 3, LatentSize: 512, FmapBase: MaxFmap, FmapMax: MaxFmap, MbstdGroup: 4}
	if err := huge.check(); err == nil {
		t.Errorf("an arch of %d parameters passed", shapeValues(huge.generatorShapes()))
	}
}

// fuzzMeta returns the metadata a run of a tiny network writes, and the
// tensors of its Gs.
func fuzzMeta(f *testing.F) (map[string]string, []safetensors.Tensor) {
	a := Arch{Resolution: 8, Channels: 3, LatentSize: 8, FmapBase: 16, FmapMax: 8, MbstdGroup: 4}
	cfg := DefaultConfig("ds", "")
	cfg.Resolution, cfg.FmapBase, cfg.FmapMax, cfg.MinibatchBase, cfg.Minibatch = 8, 16, 8, 8, nil
	tr := &trainer{cfg: cfg, arch: a, st: state{Nimg: 64, PrevLOD: 1, DataRes: 4}, dataID: &datasetID{Images: 24, Resolution: 8, Channels: 3}}
	meta, err := tr.metadata()
	if err != nil {
		f.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, s := range a.generatorShapes() {
		ts = append(ts, safetensors.Tensor{Name: "Gs/" + s.name, Shape: s.shape, Data: make([]f32, shapeValues([]paramShape{s}))})
	}
	return meta, ts
}

// FuzzReadCheckpoint reads checkpoints of arbitrary metadata (arch,
// config, state, lod, dataset) over the tensors of a tiny network, as
// generate and a resume do: whatever the metadata, the reader returns an
// error or a model that samples, without a panic and without building a
// network larger than the file.
func FuzzReadCheckpoint(f *testing.F) {
	meta, ts := fuzzMeta(f)
	keys := []string{"arch", "config", "state", "lod", "dataset"}
	add := func(key, old, new string) {
		if !strings.Contains(meta[key], old) {
			f.Fatalf("metadata %q does not hold %q: %s", key, old, meta[key])
		}
		v := map[string]string{}
		for _, k := range keys {
			v[k] = meta[k]
		}
		v[key] = strings.Replace(meta[key], old, new, 1)
		f.Add(v["arch"], v["config"], v["state"], v["lod"], v["dataset"])
	}
	add("lod", "", "") // the valid checkpoint
	add("arch", `"latent_size":8`, `"latent_size":2000000000`)
	add("arch", `"label_size":0`, `"label_size":1000000000`)
	add("arch", `"fmap_base":16`, `"fmap_base":1073741824`)
	add("arch", `"latent_size":8`, `"latent_size":16`)
	add("arch", `"resolution":8`, `"resolution":16`)
	add("arch", `"mbstd_group":4`, `"mbstd_group":0`)
	add("lod", "1", "7")
	add("lod", "1", `"7"`)
	add("state", `"nimg":64`, `"nimg":-5`)
	add("state", `"prev_lod":1`, `"prev_lod":9`)
	add("config", `"grid":[0,0]`, `"grid":[100000,100000]`)
	add("config", `"lr":0.001`, `"lr":-1`)
	if _, err := parseCheckpoint("seed", &safetensors.File{Metadata: meta, Tensors: ts}); err != nil {
		f.Fatalf("the seeds' checkpoint: %v", err)
	}
	f.Fuzz(func(t *testing.T, arch, config, state, lod, dataset string) {
		m := map[string]string{"format": CheckpointFormat, "kimg": "0.064"}
		for i, v := range []string{arch, config, state, lod, dataset} {
			m[keys[i]] = v
		}
		c, err := parseCheckpoint("fuzz.safetensors", &safetensors.File{Metadata: m, Tensors: ts})
		if err != nil {
			return
		}
		if err := c.checkTensors("Gs/", c.arch.generatorShapes()); err != nil {
			return
		}
		// Only the tiny network's tensors are there: nothing larger passed.
		if n := shapeValues(c.arch.generatorShapes()); n != shapeValues(fuzzShapes(ts)) {
			t.Fatalf("accepted an arch of %d parameters for tensors of %d", n, shapeValues(fuzzShapes(ts)))
		}
		model := &Model{Arch: c.arch, LOD: c.lod, gs: newGenerator(c.arch, nil)}
		if err := c.load("Gs/", &model.gs.network, values); err != nil {
			t.Fatalf("checked tensors failed to load: %v", err)
		}
		for _, err := range model.Generate(context.Background(), 1, GenerateOptions{Class: -1}) {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func fuzzShapes(ts []safetensors.Tensor) []paramShape {
	var ps []paramShape
	for _, t := range ts {
		ps = append(ps, paramShape{t.Name, t.Shape})
	}
	return ps
}
