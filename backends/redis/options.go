package hoardredis

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"
)

// DefaultAddr is the server New connects to when neither Options.Addrs nor
// Options.URL is set.
const DefaultAddr = "127.0.0.1:6379"

// DefaultNamespaceShards is the default for Options.NamespaceShards.
const DefaultNamespaceShards = 16

// maxNamespaceShards bounds the work of one ClearNamespace.
const maxNamespaceShards = 1024

// Options configures New. The zero value connects to a standalone server on
// 127.0.0.1:6379.
//
// The client type follows go-redis's [redis.NewUniversalClient]: MasterName
// set means Sentinel, two or more Addrs or ClusterMode mean Cluster, otherwise
// a single server.
type Options struct {
	// Addrs are "host:port" seeds: the server, the Cluster nodes or, with
	// MasterName, the Sentinels. Default [DefaultAddr]. Mutually exclusive
	// with URL.
	Addrs []string
	// URL is a redis:// or rediss:// URL, parsed by go-redis's
	// [redis.ParseURL], [redis.ParseClusterURL] (ClusterMode) or
	// [redis.ParseFailoverURL] (MasterName). Fields set below override what
	// the URL says.
	URL string
	// ClusterMode makes a Cluster client even from a single seed address
	// (e.g. a managed Cluster's configuration endpoint).
	ClusterMode bool
	// MasterName is the Sentinel master name; setting it makes a Sentinel
	// (failover) client and Addrs the Sentinels' addresses.
	MasterName string

	// Username and Password authenticate to Redis (ACL or requirepass).
	Username string
	Password string
	// DB is the database number (standalone and Sentinel only). Default 0.
	DB int
	// TLSConfig enables TLS. Default nil: plain TCP, unless URL is rediss://.
	TLSConfig *tls.Config

	// DialTimeout bounds connecting. Default 5s.
	DialTimeout time.Duration
	// ReadTimeout and WriteTimeout bound socket reads and writes. Default 3s
	// (WriteTimeout defaults to ReadTimeout). A context deadline that ends
	// sooner always wins: New enables go-redis's ContextTimeoutEnabled.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// PoolSize is the most connections per node. Default go-redis's: 10 per
	// GOMAXPROCS (5 on Cluster).
	PoolSize int
	// MaxRetries is how often a failed command is retried. Default 0: never,
	// and a failed dial is not retried either. A cache would rather serve a
	// miss than wait (go-redis's own default is 3 retries and 5 dials).
	MaxRetries int

	// KeyPrefix is prepended to every Redis key this store writes, e.g.
	// "myapp/". Default none. It must not contain '{' or '}', which would
	// change the hash slot of the keys.
	KeyPrefix string
	// NamespaceShards is the number of Redis hash slots one namespace is
	// spread over. Default [DefaultNamespaceShards]; 1 keeps a namespace in
	// one slot. More shards spread a large namespace over more Cluster nodes;
	// a ClearNamespace writes one key per shard. Every process sharing the
	// Redis must use the same value: changing it empties the cache.
	NamespaceShards int
}

// storeConfig is the part of Options NewFromClient uses.
type storeConfig struct {
	keyPrefix string
	shards    int
}

func (o *Options) storeConfig() (storeConfig, error) {
	c := storeConfig{keyPrefix: o.KeyPrefix, shards: o.NamespaceShards}
	if strings.ContainsAny(c.keyPrefix, "{}") {
		return c, invalidOption("KeyPrefix %q contains '{' or '}'", c.keyPrefix)
	}
	switch {
	case c.shards == 0:
		c.shards = DefaultNamespaceShards
	case c.shards < 0 || c.shards > maxNamespaceShards:
		return c, invalidOption("NamespaceShards %d is outside 1..%d", c.shards, maxNamespaceShards)
	}
	return c, nil
}

func (o *Options) validate() error {
	if o.URL != "" && len(o.Addrs) > 0 {
		return invalidOption("set Addrs or URL, not both")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"DialTimeout", o.DialTimeout}, {"ReadTimeout", o.ReadTimeout}, {"WriteTimeout", o.WriteTimeout}} {
		if d.v < 0 {
			return invalidOption("%s is negative", d.name)
		}
	}
	if o.PoolSize < 0 || o.MaxRetries < 0 || o.DB < 0 {
		return invalidOption("PoolSize, MaxRetries and DB must not be negative")
	}
	if o.DB != 0 && o.MasterName == "" && (o.ClusterMode || len(o.Addrs) > 1) {
		return invalidOption("DB is not supported by Redis Cluster")
	}
	_, err := o.storeConfig()
	return err
}

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("hoardredis: %w: %s", hoard.ErrInvalidOption, fmt.Sprintf(format, args...))
}

// knobs points at the fields of one of go-redis's option structs that
// Options can set, so one function applies overrides and defaults to all
// three kinds of client.
type knobs struct {
	username, password    *string
	db                    *int // nil for Cluster
	tls                   **tls.Config
	dial, read, write     *time.Duration
	poolSize, maxRetries  *int
	dialerRetries         *int
	contextTimeoutEnabled *bool
}

func (o *Options) apply(k knobs) {
	setString(k.username, o.Username)
	setString(k.password, o.Password)
	if k.db != nil && o.DB != 0 {
		*k.db = o.DB
	}
	if o.TLSConfig != nil {
		*k.tls = o.TLSConfig
	}
	setDuration(k.dial, o.DialTimeout, 5*time.Second)
	setDuration(k.read, o.ReadTimeout, 3*time.Second)
	setDuration(k.write, o.WriteTimeout, *k.read)
	if o.PoolSize != 0 {
		*k.poolSize = o.PoolSize
	}
	switch {
	case o.MaxRetries != 0:
		*k.maxRetries = o.MaxRetries
	case *k.maxRetries == 0:
		*k.maxRetries = -1 // go-redis: -1 disables retries, 0 means 3
	}
	if *k.maxRetries == -1 && *k.dialerRetries == 0 {
		*k.dialerRetries = 1
	}
	// Without this go-redis ignores context deadlines on the socket, and a
	// stalled server would hold a request for ReadTimeout.
	*k.contextTimeoutEnabled = true
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setDuration(dst *time.Duration, v, def time.Duration) {
	switch {
	case v != 0:
		*dst = v
	case *dst == 0:
		*dst = def
	}
}

// newClient builds the go-redis client Options describe. It does no I/O.
func (o *Options) newClient() (redis.UniversalClient, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	switch {
	case o.URL == "":
		u := &redis.UniversalOptions{
			Addrs:         o.Addrs,
			IsClusterMode: o.ClusterMode,
			MasterName:    o.MasterName,
		}
		if len(u.Addrs) == 0 {
			u.Addrs = []string{DefaultAddr}
		}
		o.apply(knobs{username: &u.Username, password: &u.Password, db: &u.DB, tls: &u.TLSConfig,
			dial: &u.DialTimeout, read: &u.ReadTimeout, write: &u.WriteTimeout, poolSize: &u.PoolSize,
			maxRetries: &u.MaxRetries, dialerRetries: &u.DialerRetries, contextTimeoutEnabled: &u.ContextTimeoutEnabled})
		return redis.NewUniversalClient(u), nil
	case o.MasterName != "" || hasQuery(o.URL, "master_name"):
		f, err := redis.ParseFailoverURL(o.URL)
		if err != nil {
			return nil, invalidOption("URL: %v", err)
		}
		setString(&f.MasterName, o.MasterName)
		o.apply(knobs{username: &f.Username, password: &f.Password, db: &f.DB, tls: &f.TLSConfig,
			dial: &f.DialTimeout, read: &f.ReadTimeout, write: &f.WriteTimeout, poolSize: &f.PoolSize,
			maxRetries: &f.MaxRetries, dialerRetries: &f.DialerRetries, contextTimeoutEnabled: &f.ContextTimeoutEnabled})
		return redis.NewFailoverClient(f), nil
	case o.ClusterMode:
		c, err := redis.ParseClusterURL(o.URL)
		if err != nil {
			return nil, invalidOption("URL: %v", err)
		}
		o.apply(knobs{username: &c.Username, password: &c.Password, tls: &c.TLSConfig,
			dial: &c.DialTimeout, read: &c.ReadTimeout, write: &c.WriteTimeout, poolSize: &c.PoolSize,
			maxRetries: &c.MaxRetries, dialerRetries: &c.DialerRetries, contextTimeoutEnabled: &c.ContextTimeoutEnabled})
		return redis.NewClusterClient(c), nil
	default:
		s, err := redis.ParseURL(o.URL)
		if err != nil {
			return nil, invalidOption("URL: %v", err)
		}
		o.apply(knobs{username: &s.Username, password: &s.Password, db: &s.DB, tls: &s.TLSConfig,
			dial: &s.DialTimeout, read: &s.ReadTimeout, write: &s.WriteTimeout, poolSize: &s.PoolSize,
			maxRetries: &s.MaxRetries, dialerRetries: &s.DialerRetries, contextTimeoutEnabled: &s.ContextTimeoutEnabled})
		return redis.NewClient(s), nil
	}
}

func hasQuery(rawURL, name string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(name)
}
