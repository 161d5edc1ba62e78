package hoardotel_test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	hoard "github.com/hoard-go/hoard/core"

	hoardotel "github.com/hoard-go/hoard/otel"
)

// BenchmarkObserve is the cost of one hit event on the request path, with
// the OpenTelemetry SDK's meter provider.
func BenchmarkObserve(b *testing.B) {
	obs, err := hoardotel.New(hoardotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ev := hoard.Event{Kind: hoard.EventHit, Op: "get", Key: "hoard:products:0123456789abcdef", Duration: 2 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		obs.Observe(ctx, ev)
	}
}

// BenchmarkTrace is the cost of one backend operation's span with the SDK
// (always sampled, no exporter).
func BenchmarkTrace(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	obs, err := hoardotel.New(hoardotel.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, end := obs.Trace(ctx, "get", "hoard:products:0123456789abcdef")
		end(nil)
	}
}
