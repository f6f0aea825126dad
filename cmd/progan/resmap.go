package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The per-resolution flags of train (--minibatch, --max-minibatch,
// --lr-dict) read and print maps in the form RES:VALUE,…

// parseIntMap parses per-resolution integers such as "4:128,8:128,32:64"
// (the form of --minibatch); "" gives an empty map.
func parseIntMap(s string) (map[int]int, error) {
	m := map[int]int{}
	err := parseMap(s, func(r int, v string) error {
		n, err := strconv.Atoi(v)
		m[r] = n
		return err
	})
	return m, err
}

// parseFloatMap parses per-resolution numbers such as "1024:0.0015".
func parseFloatMap(s string) (map[int]float64, error) {
	m := map[int]float64{}
	err := parseMap(s, func(r int, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		m[r] = f
		return err
	})
	return m, err
}

func parseMap(s string, set func(res int, v string) error) error {
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, ":")
		r, err := strconv.Atoi(strings.TrimSpace(k))
		if !ok || err != nil || r <= 0 || r&(r-1) != 0 {
			return fmt.Errorf("%q: want RESOLUTION:VALUE with a power-of-two resolution", item)
		}
		if err := set(r, strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
	}
	return nil
}

// formatMap writes a per-resolution map in the form the parse functions
// read, resolutions ascending.
func formatMap[V int | float64](m map[int]V) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d:%v", k, m[k])
	}
	return strings.Join(parts, ",")
}
