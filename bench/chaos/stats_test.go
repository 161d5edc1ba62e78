package chaos

import (
	"os"
	"testing"
)

func TestParseMemory(t *testing.T) {
	tests := []struct {
		name      string
		status    string
		rss, peak uint64
		wantErr   bool
	}{
		{"linux", "Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\n", 1 << 20, 2 << 20, false},
		{"missing HWM", "VmRSS:\t1 kB\n", 0, 0, true},
		{"bad unit", "VmRSS:\t1 MB\nVmHWM:\t1 kB\n", 0, 0, true},
		{"bad number", "VmRSS:\tx kB\nVmHWM:\t1 kB\n", 0, 0, true},
		{"empty", "", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rss, peak, err := parseMemory([]byte(tt.status))
			if (err != nil) != tt.wantErr || rss != tt.rss || peak != tt.peak {
				t.Errorf("parseMemory = %d, %d, %v; want %d, %d, error %v", rss, peak, err, tt.rss, tt.peak, tt.wantErr)
			}
		})
	}
}

func TestReadMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	rss, peak, err := ReadMemory(0)
	if err != nil || rss == 0 || peak < rss {
		t.Errorf("ReadMemory(0) = %d, %d, %v; want 0 < rss <= peak", rss, peak, err)
	}
}

func FuzzParseMemory(f *testing.F) {
	f.Add([]byte("VmHWM:\t2048 kB\nVmRSS:\t1024 kB\n"))
	f.Add([]byte("VmRSS: 18446744073709551615 kB\nVmHWM: 1 kB"))
	f.Add([]byte("VmRSS:\nVmHWM:"))
	f.Fuzz(func(t *testing.T, status []byte) {
		rss, peak, err := parseMemory(status)
		if err != nil && (rss != 0 || peak != 0) {
			t.Errorf("error %v with values %d, %d", err, rss, peak)
		}
	})
}
