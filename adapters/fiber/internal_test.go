package hoardfiber

import (
	"io"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestStreamField guards the one place hoardfiber reaches into fasthttp:
// if a fasthttp release moves the body stream field, this fails rather than
// streams silently going unstored.
func TestStreamField(t *testing.T) {
	if !streamFieldOK {
		t.Fatal("fasthttp.Response has no bodyStream io.Reader field: streamed responses are not stored")
	}
	var resp fasthttp.Response
	orig := &closeCounter{Reader: strings.NewReader("abc")}
	resp.SetBodyStream(orig, 3)
	r := &tee{r: orig}
	replaceStream(&resp, r)
	if orig.closed != 0 {
		t.Fatalf("replacing the stream closed the original")
	}
	if resp.BodyStream() != io.Reader(r) || resp.Header.ContentLength() != 3 {
		t.Fatalf("BodyStream %T, Content-Length %d after replaceStream", resp.BodyStream(), resp.Header.ContentLength())
	}
	if got := string(resp.Body()); got != "abc" { // reads and closes the stream
		t.Fatalf("body %q", got)
	}
	if orig.closed != 1 {
		t.Fatalf("original closed %d times, want 1", orig.closed)
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }
