package hoard

import (
	"context"
	"log/slog"
)

// SlogObserver returns an [Observer] that logs every event to l: errors
// and breaker changes at Warn, hits, misses, stores and bypasses at Debug
// (so they cost nothing unless the handler enables Debug).
func SlogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return ObserverFunc(func(ctx context.Context, ev Event) {
		level := slog.LevelDebug
		switch ev.Kind {
		case EventError, EventBreakerOpen:
			level = slog.LevelWarn
		case EventBreakerClose:
			level = slog.LevelInfo
		}
		if !l.Enabled(ctx, level) {
			return
		}
		attrs := []slog.Attr{slog.String("event", ev.Kind.String()), slog.String("op", ev.Op)}
		if ev.Key != "" {
			attrs = append(attrs, slog.String("key", ev.Key))
		}
		if ev.Err != nil {
			attrs = append(attrs, slog.Any("error", ev.Err))
		}
		l.LogAttrs(ctx, level, "hoard", attrs...)
	})
}
