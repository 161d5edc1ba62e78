package hoardotel_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	hoardotel "github.com/hoard-go/hoard/otel"
)

// The metrics of a miss and a hit, read from an in-memory reader: in an
// application the meter provider has an exporter (OTLP, Prometheus)
// instead, and New without options uses the global one.
func ExampleNew() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := hoardotel.New(hoardotel.WithMeterProvider(mp), hoardotel.WithBackendName("memory"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := hoard.New(store, hoard.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	users := c.Namespace("users")
	for range 2 { // a miss (and a store), then a hit
		_, err := hoard.Remember(ctx, users, "user:42", time.Minute, func(context.Context) (string, error) {
			return "Ada", nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		log.Fatal(err)
	}
	var lines []string
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				ns, _ := p.Attributes.Value(hoardotel.AttrNamespace)
				op, _ := p.Attributes.Value(hoardotel.AttrOperation)
				lines = append(lines, fmt.Sprintf("%s{namespace=%s, operation=%s} %d", m.Name, ns.Emit(), op.Emit(), p.Value))
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				outcome, _ := p.Attributes.Value(hoardotel.AttrOutcome)
				lines = append(lines, fmt.Sprintf("%s{outcome=%s} count %d (%s)", m.Name, outcome.Emit(), p.Count, m.Unit))
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// hoard.backend.operation.duration{outcome=hit} count 1 (s)
	// hoard.backend.operation.duration{outcome=miss} count 1 (s)
	// hoard.backend.operation.duration{outcome=store} count 1 (s)
	// hoard.cache.hits{namespace=hoard:users, operation=get} 1
	// hoard.cache.misses{namespace=hoard:users, operation=get} 1
	// hoard.cache.stores{namespace=hoard:users, operation=set} 1
}
