package adaptertest

import "net/http"

// DiscardWriter is a reusable http.ResponseWriter that keeps only the
// status and the byte count: hit benchmarks use it so they measure the
// handler and the middleware, not a recorder's allocations.
type DiscardWriter struct {
	header http.Header
	// Status is the status written (200 once a body is written without one).
	Status int
	// N is the number of body bytes written.
	N int
}

// NewDiscardWriter returns a DiscardWriter with an empty header.
func NewDiscardWriter() *DiscardWriter { return &DiscardWriter{header: http.Header{}} }

// Header returns the response header, kept across Reset so its map is reused.
func (w *DiscardWriter) Header() http.Header { return w.header }

// WriteHeader records the first status.
func (w *DiscardWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
}

// Write counts p.
func (w *DiscardWriter) Write(p []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	w.N += len(p)
	return len(p), nil
}

// WriteString counts s, keeping frameworks that write strings (Gin) off
// the []byte conversion.
func (w *DiscardWriter) WriteString(s string) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	w.N += len(s)
	return len(s), nil
}

// Reset empties the header (keeping its map) and the counts.
func (w *DiscardWriter) Reset() {
	clear(w.header)
	w.Status, w.N = 0, 0
}
