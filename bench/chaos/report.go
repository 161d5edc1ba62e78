package chaos

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Figures collects the chaos run's measurements, printed as
// "CHAOS <scenario> <metric> <value>" lines and as one table. It is safe
// for concurrent use.
type Figures struct {
	mu        sync.Mutex
	scenarios []string
	metrics   []string
	values    map[[2]string]string
}

// Add records a figure and returns its CHAOS line. Durations are written in
// milliseconds or seconds as the metric's suffix (_ms, _s) says, booleans
// as yes/no.
func (f *Figures) Add(scenario, metric string, value any) string {
	v := format(metric, value)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.values == nil {
		f.values = map[[2]string]string{}
	}
	if !slices.Contains(f.scenarios, scenario) {
		f.scenarios = append(f.scenarios, scenario)
	}
	if !slices.Contains(f.metrics, metric) {
		f.metrics = append(f.metrics, metric)
	}
	f.values[[2]string{scenario, metric}] = v
	return fmt.Sprintf("CHAOS %s %s %s", scenario, metric, v)
}

func format(metric string, value any) string {
	switch v := value.(type) {
	case time.Duration:
		switch {
		case v < 0:
			return "never"
		case strings.HasSuffix(metric, "_ms"):
			return fmt.Sprintf("%.1f", float64(v)/float64(time.Millisecond))
		case strings.HasSuffix(metric, "_s"):
			return fmt.Sprintf("%.2f", v.Seconds())
		}
		return v.String()
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case float64:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprint(value)
}

// WriteTable writes one row per scenario and one column per metric, in the
// order they were first added; "-" where a scenario lacks a metric.
func (f *Figures) WriteTable(w io.Writer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "scenario\t")
	for _, m := range f.metrics {
		fmt.Fprintf(tw, "%s\t", m)
	}
	fmt.Fprintln(tw)
	for _, s := range f.scenarios {
		fmt.Fprintf(tw, "%s\t", s)
		for _, m := range f.metrics {
			v, ok := f.values[[2]string{s, m}]
			if !ok {
				v = "-"
			}
			fmt.Fprintf(tw, "%s\t", v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
