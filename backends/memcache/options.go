package hoardmemcache

import (
	"fmt"
	"runtime"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// Defaults for [Options].
const (
	// DefaultTimeout bounds each network step of a call (dial, write,
	// read). A cache answer slower than this is worth less than a miss.
	DefaultTimeout = 250 * time.Millisecond
	// DefaultMaxItemSize is memcached's default item size limit (-I 1m).
	DefaultMaxItemSize = 1 << 20
	// itemOverhead is what memcached adds to key and value when it checks
	// an item against -I: a 48-byte header, CAS, flags, "\r\n" and a NUL
	// (59 bytes measured on 1.6 with flags 0, rounded up).
	itemOverhead = 64
	// minItemSize is memcached's smallest -I.
	minItemSize = 1 << 10
)

// Options configures a [Store] built by [New].
type Options struct {
	// Servers are the memcached servers, "host:port" or a Unix socket path.
	// Keys are spread over them by CRC-32, as gomemcache's ServerList does.
	// Host names are resolved when connecting, not by New. Required.
	Servers []string

	// Timeout bounds each network step of a call: dialling, writing,
	// reading. gomemcache has no context support, so this (not the
	// context's deadline) is what stops a call to a stalled server: keep it
	// at or below the cache's per-operation timeout. Default
	// [DefaultTimeout] (250ms).
	Timeout time.Duration

	// MaxIdleConns is the number of idle connections kept per server.
	// Default 10 per CPU (GOMAXPROCS): gomemcache's own default of 2 makes
	// a busy process dial and drop connections all the time.
	MaxIdleConns int

	// MaxItemSize is the server's item size limit (memcached's -I). A
	// value whose item (key, value, the backend's header and memcached's
	// per-item overhead) would exceed it fails with an error wrapping
	// hoard.ErrTooLarge before anything is sent. Default
	// [DefaultMaxItemSize] (1 MiB); at least 1 KiB.
	MaxItemSize int
}

// ClientOptions configures a [Store] built by [NewFromClient]. Connection
// settings belong to the client.
type ClientOptions struct {
	// MaxItemSize is as in [Options]. Default [DefaultMaxItemSize].
	MaxItemSize int
}

func (o Options) withDefaults() (Options, error) {
	if o.Timeout < 0 {
		return o, fmt.Errorf("hoardmemcache: %w: Timeout %v is negative", hoard.ErrInvalidOption, o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxIdleConns < 0 {
		return o, fmt.Errorf("hoardmemcache: %w: MaxIdleConns %d is negative", hoard.ErrInvalidOption, o.MaxIdleConns)
	}
	if o.MaxIdleConns == 0 {
		o.MaxIdleConns = 10 * runtime.GOMAXPROCS(0)
	}
	size, err := maxItemSize(o.MaxItemSize)
	o.MaxItemSize = size
	return o, err
}

func maxItemSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultMaxItemSize, nil
	case n < minItemSize:
		return n, fmt.Errorf("hoardmemcache: %w: MaxItemSize %d is below memcached's minimum of %d", hoard.ErrInvalidOption, n, minItemSize)
	}
	return n, nil
}
