package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hoard-go/hoard/bench"
)

// inputs is everything run.sh left in its directory. Missing parts are
// nil or empty, and their comparisons say "not measured".
type inputs struct {
	hits, storms map[string]stats
	memDefault   *bench.MemoryResult
	memLimited   *bench.MemoryResult
	load         []loadTarget
	loadSettings string
	benchstat    string
	profiles     []profile
	env          map[string]string // run.sh's env.txt: key=value lines
	versions     map[string]string // module path -> version, from go.mod
	notes        string
}

type profile struct{ name, top string }

func gather(dir, gomod string) (*inputs, error) {
	in := &inputs{env: map[string]string{}}
	var err error
	if in.versions, err = readModVersions(gomod); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if in.hits, err = readBench(filepath.Join(dir, "hit.txt")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if in.storms, err = readBench(filepath.Join(dir, "storm.txt")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if in.memDefault, err = readMemory(filepath.Join(dir, "memory-default.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if in.memLimited, err = readMemory(filepath.Join(dir, "memory-memlimit.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if in.load, in.loadSettings, err = readLoad(filepath.Join(dir, "load")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "benchstat.txt")); err == nil {
		in.benchstat = string(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "env.txt")); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				in.env[k] = v
			}
		}
	}
	tops, _ := filepath.Glob(filepath.Join(dir, "profiles", "*.top"))
	for _, p := range tops {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		in.profiles = append(in.profiles, profile{name: strings.TrimSuffix(filepath.Base(p), ".top"), top: string(b)})
	}
	return in, nil
}

// requireLine matches "path vX" inside or outside a require block.
var requireLine = regexp.MustCompile(`^\s*(?:require\s+)?([^\s()]+)\s+(v\S+)`)

// readModVersions returns the versions go.mod requires, by module path.
// (The report's own build info lacks the peers only the tests import.)
func readModVersions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for line := range strings.Lines(string(b)) {
		if strings.HasPrefix(strings.TrimSpace(line), "module ") || strings.HasPrefix(strings.TrimSpace(line), "go ") {
			continue
		}
		if m := requireLine.FindStringSubmatch(line); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out, nil
}
