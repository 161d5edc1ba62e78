package chaos_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hoard-go/hoard/bench/chaos"
)

func TestFiguresAdd(t *testing.T) {
	tests := []struct {
		metric string
		value  any
		want   string
	}{
		{"requests", int64(12), "CHAOS s requests 12"},
		{"p99_ms", 1500 * time.Microsecond, "CHAOS s p99_ms 1.5"},
		{"hits_resumed_s", 2500 * time.Millisecond, "CHAOS s hits_resumed_s 2.50"},
		{"hits_resumed_s", time.Duration(-1), "CHAOS s hits_resumed_s never"},
		{"breaker_opened", true, "CHAOS s breaker_opened yes"},
		{"breaker_opened", false, "CHAOS s breaker_opened no"},
		{"peak_rss_mib", 57.125, "CHAOS s peak_rss_mib 57.1"},
		{"breaker_now", "closed", "CHAOS s breaker_now closed"},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			var f chaos.Figures
			if got := f.Add("s", tt.metric, tt.value); got != tt.want {
				t.Errorf("Add(%v) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestFiguresTable(t *testing.T) {
	var f chaos.Figures
	f.Add("redis/kill", "requests", 10)
	f.Add("redis/kill", "non200", 0)
	f.Add("memcache/kill", "requests", 7)
	f.Add("memcache/kill", "extra", "x")
	var b strings.Builder
	if err := f.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	want := [][]string{
		{"scenario", "requests", "non200", "extra"},
		{"redis/kill", "10", "0", "-"},
		{"memcache/kill", "7", "-", "x"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table has %d lines, want %d:\n%s", len(lines), len(want), b.String())
	}
	for i, l := range lines {
		if got := strings.Fields(l); strings.Join(got, " ") != strings.Join(want[i], " ") {
			t.Errorf("line %d = %q, want fields %q", i, l, want[i])
		}
	}
}
