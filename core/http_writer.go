package hoard

import (
	"bufio"
	"net"
	"net/http"
)

// CaptureWriter is the http.ResponseWriter that adapters built on net/http
// types put under the handler for [ActionRun]. Everything goes through to
// the client at once; the exchange gets the status and headers before they
// are sent ([Exchange.Commit]) and a bounded copy of the body
// ([Exchange.Capture]). It keeps http.Flusher, http.Hijacker and Unwrap,
// so http.ResponseController works through it.
type CaptureWriter struct {
	http.ResponseWriter
	x           *Exchange
	hdr         Header
	wroteHeader bool
	hijacked    bool
}

// NewCaptureWriter wraps w for the exchange x.
func NewCaptureWriter(w http.ResponseWriter, x *Exchange) *CaptureWriter {
	return &CaptureWriter{ResponseWriter: w, x: x, hdr: Header(w.Header())}
}

// Hijacked reports whether the handler took over the connection.
func (w *CaptureWriter) Hijacked() bool { return w.hijacked }

// WriteHeader commits the response to the exchange, then sends it.
func (w *CaptureWriter) WriteHeader(code int) {
	if w.wroteHeader {
		w.ResponseWriter.WriteHeader(code) // let net/http log the superfluous call
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// Informational (103 Early Hints): not the final response.
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wroteHeader = true
	w.x.Commit(code, w.hdr)
	w.ResponseWriter.WriteHeader(code)
}

// Write sends p and keeps a copy while the response may still be stored.
func (w *CaptureWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.sniff(p)
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.x.Capture(p[:n])
	return n, err
}

// sniff sets Content-Type as net/http would on the first write, so the
// stored response carries the type the client got.
func (w *CaptureWriter) sniff(p []byte) {
	if _, set := w.hdr["Content-Type"]; set || len(p) == 0 || w.hdr.Get("Transfer-Encoding") != "" {
		return
	}
	w.hdr.Set("Content-Type", http.DetectContentType(p))
}

// FlushError sends what was written so far to the client at once; it is
// what http.ResponseController.Flush calls. The copy keeps growing: a
// finite stream within the limit is still stored.
func (w *CaptureWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is http.Flusher, for code that type-asserts the writer.
func (w *CaptureWriter) Flush() { _ = w.FlushError() }

// Hijack hands the connection to the handler; the response is then never
// stored.
func (w *CaptureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	w.x.NotStorable()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *CaptureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
