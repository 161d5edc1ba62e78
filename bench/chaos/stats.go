package chaos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	hoard "github.com/hoard-go/hoard/core"
)

// ServerStats is what the chaos server's GET /stats answers: the cache's
// counters, how often the handler ran, and the process's memory.
type ServerStats struct {
	hoard.Stats
	// Runs counts the item handler's runs (misses that reached it).
	Runs int64 `json:"runs"`
	// PID is the server's process id.
	PID int `json:"pid"`
	// RSS and PeakRSS are the process's resident set now and at its peak
	// (VmRSS, VmHWM), in bytes; 0 where /proc is missing.
	RSS     uint64 `json:"rss"`
	PeakRSS uint64 `json:"peak_rss"`
}

// ReadMemory returns a process's resident set (VmRSS) and peak resident set
// (VmHWM) in bytes from /proc/<pid>/status; pid 0 means this process.
func ReadMemory(pid int) (rss, peak uint64, err error) {
	path := "/proc/self/status"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	return parseMemory(b)
}

// parseMemory reads the VmRSS and VmHWM lines ("VmHWM:   12345 kB") of a
// /proc status file.
func parseMemory(status []byte) (rss, peak uint64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	var found uint8 // bit 0: VmRSS, bit 1: VmHWM
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, 0, fmt.Errorf("chaos: %s: unexpected value %q", name, value)
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("chaos: %s: %w", name, err)
		}
		if name == "VmRSS" {
			rss, found = kb<<10, found|1
		} else {
			peak, found = kb<<10, found|2
		}
	}
	if found != 3 {
		return 0, 0, fmt.Errorf("chaos: VmRSS or VmHWM missing from the status file")
	}
	return rss, peak, nil
}

// FetchStats reads GET base+"/stats".
func FetchStats(ctx context.Context, client *http.Client, base string) (ServerStats, error) {
	var s ServerStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/stats", nil)
	if err != nil {
		return s, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("chaos: GET /stats: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("chaos: GET /stats: %w", err)
	}
	return s, nil
}
