package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/hoard-go/hoard/bench"
)

// stats holds every sample of one benchmark, per unit.
type stats map[string][]float64

// median returns the median of unit's samples and whether there were any.
func (s stats) median(unit string) (float64, bool) {
	v := slices.Clone(s[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

var gomaxprocsSuffix = regexp.MustCompile(`-\d+$`)

// readBench reads go test -bench output into samples keyed by the name
// without "Benchmark" and the GOMAXPROCS suffix, e.g. "Hit/nethttp/bare".
func readBench(path string) (map[string]stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]stats{}
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		name := gomaxprocsSuffix.ReplaceAllString(res.Name.String(), "")
		if out[name] == nil {
			out[name] = stats{}
		}
		for _, v := range res.Values {
			out[name][v.Unit] = append(out[name][v.Unit], v.Value)
		}
	}
	return out, r.Err()
}

func readMemory(path string) (*bench.MemoryResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m bench.MemoryResult
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// loadRun is one measured load run.
type loadRun struct {
	rps  float64
	p99  float64 // seconds
	runs int64   // origin runs, -1 if unknown
	tool string
}

// loadTarget is every round of one target.
type loadTarget struct {
	name string
	runs []loadRun
}

func (t loadTarget) medians() (rps, p99 float64, originRuns int64, tool string) {
	var r, p []float64
	originRuns = -1
	for _, x := range t.runs {
		r, p = append(r, x.rps), append(p, x.p99)
		originRuns = max(originRuns, x.runs)
		tool = x.tool
	}
	rps, _ = stats{"r": r}.median("r")
	p99, _ = stats{"p": p}.median("p")
	return rps, p99, originRuns, tool
}

var roundFile = regexp.MustCompile(`^(.+)\.r(\d+)\.(wrk|loadgen)$`)

// readLoad reads loadtest.sh's output directory.
func readLoad(dir string) ([]loadTarget, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	settings, _ := os.ReadFile(filepath.Join(dir, "settings"))
	byName := map[string]*loadTarget{}
	for _, e := range entries {
		m := roundFile.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		name := strings.Replace(m[1], "_", "/", 1)
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, "", err
		}
		run := loadRun{tool: m[3], runs: -1}
		if m[3] == "wrk" {
			run.rps, run.p99, err = parseWrk(string(b))
		} else {
			var lr bench.LoadResult
			err = json.Unmarshal(b, &lr)
			run.rps, run.p99 = lr.RPS, lr.P99.Seconds()
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", e.Name(), err)
		}
		server := filepath.Join(dir, strings.TrimSuffix(e.Name(), "."+m[3])+".server")
		if s, err := os.ReadFile(server); err == nil {
			for line := range strings.Lines(string(s)) {
				if n, ok := strings.CutPrefix(strings.TrimSpace(line), "RUNS "); ok {
					run.runs, _ = strconv.ParseInt(n, 10, 64)
				}
			}
		}
		if byName[name] == nil {
			byName[name] = &loadTarget{name: name}
		}
		byName[name].runs = append(byName[name].runs, run)
	}
	var out []loadTarget
	for _, t := range byName {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, strings.TrimSpace(string(settings)), nil
}

// parseWrk reads Requests/sec and the 99% latency of `wrk --latency`.
func parseWrk(s string) (rps, p99 float64, err error) {
	sc := bufio.NewScanner(strings.NewReader(s))
	var haveRPS, haveP99 bool
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			rps, err = strconv.ParseFloat(f[1], 64)
			haveRPS = err == nil
		case len(f) == 2 && f[0] == "99%":
			p99, err = parseWrkDuration(f[1])
			haveP99 = err == nil
		}
		if err != nil {
			return 0, 0, err
		}
	}
	if !haveRPS || !haveP99 {
		return 0, 0, fmt.Errorf("no Requests/sec or 99%% line in wrk output")
	}
	return rps, p99, nil
}

// parseWrkDuration parses wrk's "812.00us", "1.23ms", "2.00s", "1.50m".
func parseWrkDuration(s string) (float64, error) {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f * u.scale, err
		}
	}
	return 0, fmt.Errorf("wrk duration %q", s)
}
