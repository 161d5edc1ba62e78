package demo

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Backend kinds a backend URL can name.
const (
	KindMemory   = "memory"
	KindRedis    = "redis"
	KindMemcache = "memcache"
	KindDynamo   = "dynamodb"
)

// Default ports for URLs that leave them out.
const (
	defaultRedisPort    = "6379"
	defaultMemcachePort = "11211"
)

// wantSchemes ends every "which backend?" error message.
const wantSchemes = "want memory://, redis://host:port/db, memcache://host:port[,host:port] or dynamodb://table?endpoint=URL"

// BackendURL is a parsed -backend value. Parsing does no I/O and reads no
// environment: what the URL says is all there is.
type BackendURL struct {
	Kind string
	// URL is the URL as given, for go-redis (which reads user, password
	// and TLS from it); Display is the same with any password redacted.
	URL, Display string
	// Addrs are host:port: the Redis server, or the memcached servers.
	Addrs []string
	// DB is the Redis database number.
	DB int
	// Table, Endpoint and Region are for DynamoDB; Endpoint and Region
	// may be empty (AWS itself, the region from the environment).
	Table, Endpoint, Region string
}

// dynamoTableName is DynamoDB's rule for table names.
var dynamoTableName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// ParseBackendURL parses a backend URL; "" is memory://. Every error says
// what is wrong in one line.
func ParseBackendURL(raw string) (BackendURL, error) {
	if raw == "" {
		raw = "memory://"
	}
	if i := strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return BackendURL{}, fmt.Errorf("backend URL has a space or control character at byte %d", i)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included: keep only
		// the reason.
		var reason error = err
		if ue, ok := err.(*url.Error); ok {
			reason = ue.Err
		}
		return BackendURL{}, fmt.Errorf("backend URL cannot be parsed: %v (%s)", reason, wantSchemes)
	}
	b := BackendURL{URL: raw, Display: raw}
	if _, ok := u.User.Password(); ok {
		b.Display = u.Redacted()
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return b, fmt.Errorf("backend URL %s: unexpected #fragment", b.Display)
	}
	switch u.Scheme {
	case "memory":
		b.Kind = KindMemory
		return b, parseMemory(u)
	case "redis", "rediss":
		b.Kind = KindRedis
		return b, parseRedis(u, &b)
	case "memcache", "memcached":
		b.Kind = KindMemcache
		return b, parseMemcache(u, &b)
	case "dynamodb", "dynamo":
		b.Kind = KindDynamo
		return b, parseDynamo(u, &b)
	case "":
		return b, fmt.Errorf("backend URL %q has no scheme (%s)", b.Display, wantSchemes)
	}
	return b, fmt.Errorf("backend URL %s: unknown scheme %q (%s)", b.Display, u.Scheme, wantSchemes)
}

func parseMemory(u *url.URL) error {
	if u.Host != "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.Opaque != "" || u.RawQuery != "" {
		return fmt.Errorf("backend URL %s: memory:// takes no host, path or parameters", u.Redacted())
	}
	return nil
}

func parseRedis(u *url.URL, b *BackendURL) error {
	host, err := hostPort(u.Host, defaultRedisPort)
	if err != nil {
		return fmt.Errorf("backend URL %s: %w", b.Display, err)
	}
	if u.RawQuery != "" {
		return fmt.Errorf("backend URL %s: redis URLs take no parameters here", b.Display)
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 || strings.HasPrefix(db, "+") {
			return fmt.Errorf("backend URL %s: database %q is not a number >= 0 (redis://host:port/0)", b.Display, db)
		}
		b.DB = n
	}
	b.Addrs = []string{host}
	return nil
}

func parseMemcache(u *url.URL, b *BackendURL) error {
	if u.User != nil {
		return fmt.Errorf("backend URL %s: memcached has no user or password", b.Display)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("backend URL %s: memcache URLs take no path or parameters", b.Display)
	}
	if u.Host == "" {
		return fmt.Errorf("backend URL %s: no server (memcache://host:port[,host:port])", b.Display)
	}
	for _, s := range strings.Split(u.Host, ",") {
		addr, err := hostPort(s, defaultMemcachePort)
		if err != nil {
			return fmt.Errorf("backend URL %s: %w", b.Display, err)
		}
		b.Addrs = append(b.Addrs, addr)
	}
	return nil
}

func parseDynamo(u *url.URL, b *BackendURL) error {
	if u.User != nil || u.Port() != "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("backend URL %s: want dynamodb://table?endpoint=URL&region=REGION", b.Display)
	}
	if u.Host == "" {
		return fmt.Errorf("backend URL %s: no table name (dynamodb://table?endpoint=URL)", b.Display)
	}
	if !dynamoTableName.MatchString(u.Host) {
		return fmt.Errorf("backend URL %s: table name %q must be 3-255 letters, digits, '_', '-' or '.'", b.Display, u.Host)
	}
	b.Table = u.Host
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("backend URL %s: bad parameters: %v", b.Display, err)
	}
	for name, vals := range q {
		if len(vals) != 1 {
			return fmt.Errorf("backend URL %s: parameter %q given %d times", b.Display, name, len(vals))
		}
		switch name {
		case "endpoint":
			ep, err := url.Parse(vals[0])
			if err != nil || (ep.Scheme != "http" && ep.Scheme != "https") || ep.Host == "" || ep.Hostname() == "" {
				return fmt.Errorf("backend URL %s: endpoint %q is not an http:// or https:// URL with a host", b.Display, vals[0])
			}
			b.Endpoint = vals[0]
		case "region":
			if vals[0] == "" {
				return fmt.Errorf("backend URL %s: empty region", b.Display)
			}
			b.Region = vals[0]
		default:
			return fmt.Errorf("backend URL %s: unknown parameter %q (want endpoint, region)", b.Display, name)
		}
	}
	return nil
}

// hostPort checks "host[:port]" and adds the default port.
func hostPort(s, defaultPort string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("no host")
	}
	host, port := s, defaultPort
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") > 0 && !strings.HasPrefix(s, "[") {
		return "", fmt.Errorf("bad address %q: %v", s, err)
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return "", fmt.Errorf("no host in %q", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("port %q of %q is not between 1 and 65535", port, s)
	}
	return net.JoinHostPort(host, port), nil
}
