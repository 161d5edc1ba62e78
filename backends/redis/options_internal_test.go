package hoardredis

import (
	"crypto/tls"
	"runtime"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clientSettings is what the tests compare across client kinds.
type clientSettings struct {
	kind                  string
	addrs                 string
	username, password    string
	db                    int
	tls                   bool
	dial, read, write     time.Duration
	poolSize, maxRetries  int
	contextTimeoutEnabled bool
}

func settingsOf(t *testing.T, c redis.UniversalClient) clientSettings {
	t.Helper()
	switch c := c.(type) {
	case *redis.Client:
		o := c.Options()
		return clientSettings{"client", o.Addr, o.Username, o.Password, o.DB, o.TLSConfig != nil,
			o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolSize, o.MaxRetries, o.ContextTimeoutEnabled}
	case *redis.ClusterClient: // MaxRetries -1 is "none" there, as 0 is after Client's init
		o := c.Options()
		addrs := ""
		for _, a := range o.Addrs {
			addrs += a + " "
		}
		return clientSettings{"cluster", addrs, o.Username, o.Password, 0, o.TLSConfig != nil,
			o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolSize, o.MaxRetries, o.ContextTimeoutEnabled}
	}
	t.Fatalf("unexpected client %T", c)
	return clientSettings{}
}

// TestClientOptions checks the defaults, that URL values are kept, and
// that fields set in Options win over the URL.
func TestClientOptions(t *testing.T) {
	pool := 10 * runtimeProcs()
	clusterPool := 5 * runtimeProcs() // go-redis's Cluster default, per node
	tests := []struct {
		name string
		opts Options
		want clientSettings
	}{
		{"Defaults", Options{},
			clientSettings{"client", DefaultAddr, "", "", 0, false, 5 * time.Second, 3 * time.Second, 3 * time.Second, pool, 0, true}},
		{"Fields", Options{Addrs: []string{"h:1"}, Username: "u", Password: "p", DB: 2, TLSConfig: &tls.Config{},
			DialTimeout: time.Second, ReadTimeout: 2 * time.Second, PoolSize: 7, MaxRetries: 2},
			clientSettings{"client", "h:1", "u", "p", 2, true, time.Second, 2 * time.Second, 2 * time.Second, 7, 2, true}},
		{"URL", Options{URL: "rediss://u:p@h:2/3?read_timeout=4s&max_retries=5"},
			clientSettings{"client", "h:2", "u", "p", 3, true, 5 * time.Second, 4 * time.Second, 4 * time.Second, pool, 5, true}},
		{"URLOverridden", Options{URL: "redis://u:p@h:2/3?read_timeout=4s", Password: "q", DB: 4, ReadTimeout: time.Second, WriteTimeout: 9 * time.Second},
			clientSettings{"client", "h:2", "u", "q", 4, false, 5 * time.Second, time.Second, 9 * time.Second, pool, 0, true}},
		{"Cluster", Options{Addrs: []string{"a:1", "b:2"}},
			clientSettings{"cluster", "a:1 b:2 ", "", "", 0, false, 5 * time.Second, 3 * time.Second, 3 * time.Second, clusterPool, -1, true}},
		{"ClusterOneSeed", Options{Addrs: []string{"a:1"}, ClusterMode: true},
			clientSettings{"cluster", "a:1 ", "", "", 0, false, 5 * time.Second, 3 * time.Second, 3 * time.Second, clusterPool, -1, true}},
		{"ClusterURL", Options{URL: "redis://a:1?addr=b:2&dial_timeout=2", ClusterMode: true},
			clientSettings{"cluster", "a:1 b:2 ", "", "", 0, false, 2 * time.Second, 3 * time.Second, 3 * time.Second, clusterPool, -1, true}},
		{"Sentinel", Options{Addrs: []string{"s:1"}, MasterName: "m", Password: "p"},
			clientSettings{"client", "FailoverClient", "", "p", 0, false, 5 * time.Second, 3 * time.Second, 3 * time.Second, pool, 0, true}},
		{"SentinelURL", Options{URL: "redis://s:1?master_name=m"},
			clientSettings{"client", "FailoverClient", "", "", 0, false, 5 * time.Second, 3 * time.Second, 3 * time.Second, pool, 0, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.opts.newClient()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := settingsOf(t, c); got != tc.want {
				t.Errorf("settings\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
