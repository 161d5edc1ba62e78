package hoardecho

import (
	"bufio"
	"net"
	"net/http"

	hoard "github.com/hoard-go/hoard/core"
)

// captureWriter sits under echo.Response as its Writer. It passes
// everything through to the client and gives the engine the status,
// headers and a bounded copy of the body.
type captureWriter struct {
	http.ResponseWriter
	x           *hoard.Exchange
	hdr         hoard.Header
	wroteHeader bool
	hijacked    bool
}

func (w *captureWriter) WriteHeader(code int) {
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

func (w *captureWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		// Only a handler writing to c.Response().Writer directly gets
		// here: echo.Response always sends the status first.
		w.sniff(p)
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.x.Capture(p[:n])
	return n, err
}

// sniff sets Content-Type as net/http would on the first write, so the
// stored response carries the same type the client got.
func (w *captureWriter) sniff(p []byte) {
	if _, set := w.hdr["Content-Type"]; set || len(p) == 0 || w.hdr.Get("Transfer-Encoding") != "" {
		return
	}
	w.hdr.Set("Content-Type", http.DetectContentType(p))
}

// FlushError sends what was written so far to the client at once; it is
// what c.Response().Flush reaches through http.ResponseController. The
// copy keeps growing: a finite stream within the limit is still stored.
func (w *captureWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is http.Flusher, for code that type-asserts the writer.
func (w *captureWriter) Flush() { _ = w.FlushError() }

// Hijack hands the connection to the handler; the response is then never
// stored.
func (w *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	w.x.NotStorable()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
