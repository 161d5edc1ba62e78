package httpcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	hoard "github.com/hoard-go/hoard/core"
)

// Purging: dropping what a write made wrong, by URL or by tag, from any
// process sharing the backend.

// PurgeURL drops the stored responses of rawURL (an absolute URL, as
// requested: host, path and query): the GET response, HEAD's (answered
// from it) and every variant of its response's Vary, for every process
// sharing c's backend. opts are the route's options that decide its keys
// (WithNamespace, WithKeyFunc, WithVaryBy): with WithVaryBy, only the
// entry of requests without those headers is dropped; tag such a route's
// responses (WithTags) and invalidate the tag instead.
func PurgeURL(ctx context.Context, c *hoard.Cache, rawURL string, opts ...Option) error {
	e, err := configure(c, opts) // keys only: no engine to serve with
	if err != nil {
		return err
	}
	return e.Purge(ctx, rawURL)
}

// Purge is PurgeURL with this engine's options.
func (e *Engine) Purge(ctx context.Context, rawURL string) error {
	key, err := e.purgeKey(rawURL)
	if err != nil {
		return err
	}
	if err := e.cache.Delete(ctx, key); err != nil {
		return fmt.Errorf("httpcache: purge %q: %w", rawURL, err)
	}
	return nil
}

// purgeKey is the key of a GET for rawURL, an absolute URL.
func (e *Engine) purgeKey(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: purge %q: an absolute URL is needed", hoard.ErrInvalidOption, rawURL)
	}
	get := Request{Method: "GET", Host: u.Host, Path: u.EscapedPath(), RawQuery: u.RawQuery}
	f := requestFields{vary: make([]string, len(e.cfg.varyBy))}
	return string(e.appendKey(nil, &get, &f)), nil
}

// PurgeRequest is the JSON body the purge endpoint takes.
type PurgeRequest struct {
	// URLs to purge (absolute, see PurgeURL).
	URLs []string `json:"urls,omitempty"`
	// Tags to invalidate (see hoard.Cache.InvalidateTags).
	Tags []string `json:"tags,omitempty"`
	// Soft marks the tags' entries stale instead of dropping them.
	Soft bool `json:"soft,omitempty"`
	// Namespace limits the tags' invalidation to one namespace.
	Namespace string `json:"namespace,omitempty"`
}

// maxPurgeBody bounds a purge request's body.
const maxPurgeBody = 1 << 20

// PurgeHandler returns an http.Handler that purges URLs and invalidates
// tags: POST a JSON PurgeRequest; 204 when done, 400 for a bad request,
// 403 when authorize refuses it, 405 for another method, 502 when the
// backend failed. authorize decides who may purge (a shared secret, an
// mTLS identity, an internal network): it is required, and there are no
// default credentials. opts are the routes' key options, as for PurgeURL.
// Mount it where only trusted callers reach it.
func PurgeHandler(c *hoard.Cache, authorize func(*http.Request) error, opts ...Option) (http.Handler, error) {
	if authorize == nil {
		return nil, fmt.Errorf("%w: a purge endpoint needs an authoriser", hoard.ErrInvalidOption)
	}
	e, err := New(c, opts...)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		if err := authorize(r); err != nil {
			http.Error(w, "purge not allowed", http.StatusForbidden)
			return
		}
		var req PurgeRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, maxPurgeBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			http.Error(w, "bad purge request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := purge(r.Context(), c, e, &req); err != nil {
			code := http.StatusBadGateway
			if errors.Is(err, hoard.ErrInvalidOption) || errors.Is(err, hoard.ErrInvalidTag) || errors.Is(err, hoard.ErrInvalidKey) {
				code = http.StatusBadRequest
			}
			http.Error(w, err.Error(), code)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}), nil
}

// purge carries out a PurgeRequest: validated whole first, then done.
func purge(ctx context.Context, c *hoard.Cache, e *Engine, req *PurgeRequest) error {
	keys := make([]string, len(req.URLs))
	for i, u := range req.URLs {
		k, err := e.purgeKey(u)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	for _, t := range req.Tags {
		if err := hoard.ValidateTag(t); err != nil {
			return err
		}
	}
	var opts []hoard.InvalidateOption
	if req.Soft {
		opts = append(opts, hoard.Soft())
	}
	if req.Namespace != "" {
		if err := hoard.ValidateName(req.Namespace); err != nil {
			return err
		}
		opts = append(opts, hoard.OnlyNamespace(req.Namespace))
	}
	var errs []error
	for i, k := range keys {
		if err := e.cache.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("httpcache: purge %q: %w", req.URLs[i], err))
		}
	}
	if len(req.Tags) > 0 {
		errs = append(errs, c.InvalidateTags(ctx, req.Tags, opts...))
	}
	return errors.Join(errs...)
}
