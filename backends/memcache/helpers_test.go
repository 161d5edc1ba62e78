package hoardmemcache

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// newTestStore returns a Store on addrs, closed when the test ends. Its
// Timeout is generous so a loaded machine does not fail functional tests;
// TestStalledServer covers timeouts.
func newTestStore(t testing.TB, addrs ...string) *Store {
	t.Helper()
	s, err := New(Options{Servers: addrs, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rawClient is a plain gomemcache client, to look at or tamper with what
// the Store wrote.
func rawClient(t testing.TB, addrs ...string) *memcache.Client {
	t.Helper()
	c := memcache.New(addrs...)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// metaTTL asks memcached (meta protocol, 1.6+) how many seconds key has
// left: -1 means no expiry.
func metaTTL(t testing.TB, addr, key string) int64 {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(conn, "mg %s t\r\n", key); err != nil {
		t.Fatalf("mg: %v", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("mg reply: %v", err)
	}
	var ttl int64
	if _, err := fmt.Sscanf(strings.TrimSpace(line), "HD t%d", &ttl); err != nil {
		t.Fatalf("mg %s: reply %q: %v", key, line, err)
	}
	return ttl
}
