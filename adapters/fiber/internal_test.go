package hoardfiber

import (
	"io"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestStreamField guards one of the two places hoardfiber reaches into
// fasthttp (the other is the header field list, TestFieldListLayout):
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

// bothCloser has both of the close methods fasthttp knows.
type bothCloser struct {
	io.Reader
	closed, closedWithError int
}

func (c *bothCloser) Close() error               { c.closed++; return nil }
func (c *bothCloser) CloseWithError(error) error { c.closedWithError++; return nil }

// TestTeeTransparentClose: behind a tee, a stream is closed exactly as
// fasthttp would close it without one, whichever close methods it has.
func TestTeeTransparentClose(t *testing.T) {
	run := func(withTee bool) (int, int) {
		var resp fasthttp.Response
		orig := &bothCloser{Reader: strings.NewReader("abc")}
		resp.SetBodyStream(orig, -1)
		if withTee {
			replaceStream(&resp, &tee{r: orig})
		}
		_ = resp.Body()
		resp.Reset()
		return orig.closed, orig.closedWithError
	}
	c1, e1 := run(false)
	c2, e2 := run(true)
	if c1 != c2 || e1 != e2 {
		t.Fatalf("behind a tee: Close %d, CloseWithError %d; without: %d, %d", c2, e2, c1, e1)
	}
}
