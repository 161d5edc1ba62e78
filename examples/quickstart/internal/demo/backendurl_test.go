package demo

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBackendURL(t *testing.T) {
	tests := []struct {
		in   string
		want BackendURL
	}{
		{"", BackendURL{Kind: KindMemory, URL: "memory://", Display: "memory://"}},
		{"memory://", BackendURL{Kind: KindMemory, URL: "memory://", Display: "memory://"}},
		{"memory:", BackendURL{Kind: KindMemory, URL: "memory:", Display: "memory:"}},
		{"redis://127.0.0.1:6379/0", BackendURL{Kind: KindRedis, URL: "redis://127.0.0.1:6379/0", Display: "redis://127.0.0.1:6379/0", Addrs: []string{"127.0.0.1:6379"}}},
		{"redis://127.0.0.1", BackendURL{Kind: KindRedis, URL: "redis://127.0.0.1", Display: "redis://127.0.0.1", Addrs: []string{"127.0.0.1:6379"}}},
		{"redis://127.0.0.1:6380/", BackendURL{Kind: KindRedis, URL: "redis://127.0.0.1:6380/", Display: "redis://127.0.0.1:6380/", Addrs: []string{"127.0.0.1:6380"}}},
		{"REDIS://cache.internal:6379/15", BackendURL{Kind: KindRedis, URL: "REDIS://cache.internal:6379/15", Display: "REDIS://cache.internal:6379/15", Addrs: []string{"cache.internal:6379"}, DB: 15}},
		{"rediss://app:secret@[::1]:6379/2", BackendURL{Kind: KindRedis, URL: "rediss://app:secret@[::1]:6379/2", Display: "rediss://app:xxxxx@[::1]:6379/2", Addrs: []string{"[::1]:6379"}, DB: 2}},
		{"memcache://127.0.0.1:11211", BackendURL{Kind: KindMemcache, URL: "memcache://127.0.0.1:11211", Display: "memcache://127.0.0.1:11211", Addrs: []string{"127.0.0.1:11211"}}},
		{"memcache://10.0.0.1,10.0.0.2:11300", BackendURL{Kind: KindMemcache, URL: "memcache://10.0.0.1,10.0.0.2:11300", Display: "memcache://10.0.0.1,10.0.0.2:11300", Addrs: []string{"10.0.0.1:11211", "10.0.0.2:11300"}}},
		{"memcached://mc:11211/", BackendURL{Kind: KindMemcache, URL: "memcached://mc:11211/", Display: "memcached://mc:11211/", Addrs: []string{"mc:11211"}}},
		{"dynamodb://hoard-cache?endpoint=http://127.0.0.1:8000&region=us-east-1", BackendURL{Kind: KindDynamo,
			URL: "dynamodb://hoard-cache?endpoint=http://127.0.0.1:8000&region=us-east-1", Display: "dynamodb://hoard-cache?endpoint=http://127.0.0.1:8000&region=us-east-1",
			Table: "hoard-cache", Endpoint: "http://127.0.0.1:8000", Region: "us-east-1"}},
		{"dynamodb://My_Table.v2", BackendURL{Kind: KindDynamo, URL: "dynamodb://My_Table.v2", Display: "dynamodb://My_Table.v2", Table: "My_Table.v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBackendURL(tt.in)
			if err != nil {
				t.Fatalf("ParseBackendURL(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseBackendURL(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseBackendURLErrors lists every kind of bad URL with a phrase its
// one-line error must contain.
func TestParseBackendURLErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unparsable", "redis://[::1", "cannot be parsed: missing ']' in host"},
		{"unparsable host:port", "127.0.0.1:6379", "cannot be parsed"},
		{"bad port syntax", "redis://127.0.0.1:abc/0", "cannot be parsed: invalid port"},
		{"no scheme", "localhost", `has no scheme`},
		{"space", "redis://127.0.0.1:6379/0 ", "space or control character at byte 24"},
		{"newline", "#\n", "space or control character at byte 1"},
		{"unknown scheme", "postgres://127.0.0.1:5432/db", `unknown scheme "postgres"`},
		{"unknown scheme http", "http://127.0.0.1:6379", `unknown scheme "http"`},
		{"fragment", "redis://127.0.0.1:6379/0#x", "unexpected #fragment"},
		{"memory host", "memory://127.0.0.1", "memory:// takes no host"},
		{"memory parameter", "memory://?size=10", "memory:// takes no host"},
		{"redis missing host", "redis:///0", "no host"},
		{"redis missing host with port", "redis://:6379/0", "no host"},
		{"redis port zero", "redis://127.0.0.1:0/0", "not between 1 and 65535"},
		{"redis port too large", "redis://127.0.0.1:99999/0", "not between 1 and 65535"},
		{"redis db not a number", "redis://127.0.0.1:6379/zero", `database "zero" is not a number`},
		{"redis db negative", "redis://127.0.0.1:6379/-1", `database "-1" is not a number`},
		{"redis db plus", "redis://127.0.0.1:6379/+1", `database "+1" is not a number`},
		{"redis db path", "redis://127.0.0.1:6379/0/1", `database "0/1" is not a number`},
		{"redis db overflow", "redis://127.0.0.1:6379/99999999999999999999", "is not a number"},
		{"redis parameters", "redis://127.0.0.1:6379/0?pool_size=3", "take no parameters"},
		{"memcache missing host", "memcache://", "no server"},
		{"memcache empty server", "memcache://,127.0.0.1:11211", "no host"},
		{"memcache bad port", "memcache://127.0.0.1:x,127.0.0.1:11211", `port "x"`},
		{"memcache port too large", "memcache://127.0.0.1:70000", "not between 1 and 65535"},
		{"memcache user", "memcache://u:p@127.0.0.1:11211", "no user or password"},
		{"memcache path", "memcache://127.0.0.1:11211/0", "no path or parameters"},
		{"dynamodb missing table", "dynamodb://?endpoint=http://127.0.0.1:8000", "no table name"},
		{"dynamodb short table", "dynamodb://ab?endpoint=http://127.0.0.1:8000", "3-255 letters"},
		{"dynamodb port", "dynamodb://table:8000", "want dynamodb://table?endpoint=URL"},
		{"dynamodb path", "dynamodb://table/x", "want dynamodb://table?endpoint=URL"},
		{"dynamodb bad endpoint", "dynamodb://table?endpoint=127.0.0.1:8000", "is not an http:// or https:// URL"},
		{"dynamodb endpoint without host", "dynamodb://table?endpoint=http://", "is not an http:// or https:// URL"},
		{"dynamodb unknown parameter", "dynamodb://table?endpiont=http://127.0.0.1:8000", `unknown parameter "endpiont"`},
		{"dynamodb repeated parameter", "dynamodb://table?region=a&region=b", "given 2 times"},
		{"dynamodb empty region", "dynamodb://table?region=", "empty region"},
		{"dynamodb bad query", "dynamodb://table?endpoint=%zz", "bad parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBackendURL(tt.in)
			if err == nil {
				t.Fatalf("ParseBackendURL(%q) = nil error, want %q", tt.in, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("ParseBackendURL(%q) = %q, want it to contain %q", tt.in, msg, tt.want)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
}

// A password never appears in an error message.
func TestParseBackendURLRedactsPassword(t *testing.T) {
	for _, in := range []string{
		"redis://u:hunter2@127.0.0.1:6379/x",
		"rediss://u:hunter2@127.0.0.1:99999/0",
		"redis://u:hunter2@[::1/0",
		"memcache://u:hunter2@127.0.0.1:11211",
	} {
		_, err := ParseBackendURL(in)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseBackendURL(%q) = %v; want an error without the password", in, err)
		}
	}
}

// FuzzParseBackendURL: any input is a backend or a one-line error, never
// a panic, and a parsed backend is usable.
func FuzzParseBackendURL(f *testing.F) {
	for _, s := range []string{
		"", "memory://", "redis://127.0.0.1:6379/0", "rediss://u:p@[::1]:6380/3", "memcache://a,b:1",
		"dynamodb://table?endpoint=http://127.0.0.1:8000&region=us-east-1", "redis://[::1", "x://%zz", "dynamodb://t?region=a&region=b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ParseBackendURL(in)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("multi-line error for %q: %q", in, err)
			}
			return
		}
		switch b.Kind {
		case KindMemory:
		case KindRedis:
			if len(b.Addrs) != 1 || b.DB < 0 {
				t.Fatalf("%q: redis %+v", in, b)
			}
		case KindMemcache:
			if len(b.Addrs) == 0 {
				t.Fatalf("%q: memcache without servers", in)
			}
		case KindDynamo:
			if !dynamoTableName.MatchString(b.Table) {
				t.Fatalf("%q: bad table %q", in, b.Table)
			}
		default:
			t.Fatalf("%q: kind %q", in, b.Kind)
		}
	})
}
