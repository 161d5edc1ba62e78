package hoarddynamo

import (
	"errors"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"TableOnly", Options{Table: "cache"}, false},
		{"CustomNames", Options{Table: "cache", KeyAttribute: "id", ValueAttribute: "body", ExpiryAttribute: "expires", GenerationAttribute: "g"}, false},
		{"NoTable", Options{}, true},
		{"DuplicateNames", Options{Table: "cache", ValueAttribute: "pk"}, true},
		{"DuplicateCustomNames", Options{Table: "cache", ExpiryAttribute: "x", GenerationAttribute: "x"}, true},
		{"NameTooLong", Options{Table: "cache", ValueAttribute: strings.Repeat("v", 256)}, true},
		{"NameNotUTF8", Options{Table: "cache", ValueAttribute: "\xff"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewFromClient(offlineClient(), tc.opts)
			if tc.wantErr {
				if !errors.Is(err, hoard.ErrInvalidOption) {
					t.Fatalf("NewFromClient: %v, want ErrInvalidOption", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewFromClient: %v", err)
			}
			if s.opts.KeyAttribute == "" || s.opts.ValueAttribute == "" || s.opts.ExpiryAttribute == "" || s.opts.GenerationAttribute == "" || s.opts.Now == nil {
				t.Errorf("defaults not filled in: %+v", s.opts)
			}
		})
	}
	if _, err := NewFromClient(nil, Options{Table: "cache"}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("NewFromClient(nil): %v, want ErrInvalidOption", err)
	}
}

func TestDefaults(t *testing.T) {
	s, err := NewFromClient(offlineClient(), Options{Table: "cache"})
	if err != nil {
		t.Fatal(err)
	}
	o := s.opts
	if o.KeyAttribute != "pk" || o.ValueAttribute != "v" || o.ExpiryAttribute != "ttl" || o.GenerationAttribute != "gen" || o.EventuallyConsistentReads {
		t.Errorf("defaults = %+v", o)
	}
	if d := time.Since(o.Now()); d < 0 || d > time.Minute {
		t.Errorf("default Now is %v off", d)
	}
	to, err := TableOptions{Table: "cache"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if to.KeyAttribute != "pk" || to.ExpiryAttribute != "ttl" || to.PollInterval != 100*time.Millisecond || to.MaxPollInterval != time.Second || to.Timeout != 2*time.Minute {
		t.Errorf("table defaults = %+v", to)
	}
}

// TestClosedAndInvalid needs no server: these calls never reach the client.
func TestClosedAndInvalid(t *testing.T) {
	s, err := NewFromClient(offlineClient(), Options{Table: "cache"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, k := range []string{"", "a b:c:d"} {
		if _, err := s.Get(ctx, k); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("Get(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.Set(ctx, k, nil, 0); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("Set(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("Delete(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.ClearNamespace(ctx, k); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("ClearNamespace(%q): %v, want ErrInvalidKey", k, err)
		}
	}
	// Too large is refused before any request (this client has no endpoint).
	if err := s.Set(ctx, "p:ns:k", make([]byte, MaxItemSize), time.Minute); !errors.Is(err, hoard.ErrTooLarge) {
		t.Errorf("Set of %d bytes: %v, want ErrTooLarge", MaxItemSize, err)
	}
	_ = s.Close()
	if _, err := s.Get(ctx, "p:ns:k"); !errors.Is(err, hoard.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if err := s.ClearNamespace(ctx, "p:ns"); !errors.Is(err, hoard.ErrClosed) {
		t.Errorf("ClearNamespace after Close: %v, want ErrClosed", err)
	}
}
