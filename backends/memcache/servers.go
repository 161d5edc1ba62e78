package hoardmemcache

import (
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

// serverList is a memcache.ServerSelector that picks servers exactly like
// memcache.ServerList (CRC-32 of the key modulo the number of servers, in
// the order given), so hoard and plain gomemcache clients agree on where a
// key lives. Unlike ServerList it does not resolve host names when it is
// built: New does no I/O, and the name is resolved at each dial, within
// the client's Timeout.
type serverList struct {
	addrs []net.Addr
}

var _ memcache.ServerSelector = (*serverList)(nil)

// addr is a net.Addr kept as written.
type addr struct{ network, address string }

func (a addr) Network() string { return a.network }
func (a addr) String() string  { return a.address }

// newServerList validates servers: "host:port" for TCP, or a path
// containing "/" for a Unix socket (as memcache.ServerList reads them).
func newServerList(servers []string) (*serverList, error) {
	if len(servers) == 0 {
		return nil, fmt.Errorf("hoardmemcache: %w: Servers is empty", hoard.ErrInvalidOption)
	}
	addrs := make([]net.Addr, len(servers))
	for i, s := range servers {
		if strings.Contains(s, "/") {
			addrs[i] = addr{"unix", s}
			continue
		}
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return nil, fmt.Errorf("hoardmemcache: %w: server %q: %w", hoard.ErrInvalidOption, s, err)
		}
		if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
			return nil, fmt.Errorf("hoardmemcache: %w: server %q: port must be 1-65535", hoard.ErrInvalidOption, s)
		}
		if host == "" {
			return nil, fmt.Errorf("hoardmemcache: %w: server %q: missing host", hoard.ErrInvalidOption, s)
		}
		addrs[i] = addr{"tcp", s}
	}
	return &serverList{addrs: addrs}, nil
}

// keyBufPool avoids an allocation per PickServer: crc32 takes a []byte and
// converting the key would escape to the heap.
var keyBufPool = sync.Pool{New: func() any { b := make([]byte, 256); return &b }}

func (l *serverList) PickServer(key string) (net.Addr, error) {
	if len(l.addrs) == 1 {
		return l.addrs[0], nil
	}
	bp := keyBufPool.Get().(*[]byte)
	n := copy(*bp, key) // memcache.ServerList hashes at most 256 bytes too
	cs := crc32.ChecksumIEEE((*bp)[:n])
	keyBufPool.Put(bp)
	return l.addrs[cs%uint32(len(l.addrs))], nil
}

func (l *serverList) Each(f func(net.Addr) error) error {
	for _, a := range l.addrs {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}
