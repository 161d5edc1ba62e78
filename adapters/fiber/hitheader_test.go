package hoardfiber

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

// TestTemplateHitsMatch sends hits through fasthttp's server with their
// fields set field by field and copied from a template, and compares the
// bytes on the wire (but for Date): copying a whole header must carry
// nothing the server set before the handler ran away, in any server
// configuration an app that uses templates can have. A fasthttp release
// that changed what CopyTo carries fails here.
func TestTemplateHitsMatch(t *testing.T) {
	var fields []httpcache.Field
	for _, f := range [][2]string{
		{"Content-Type", "application/json"}, {"Link", "</a>"}, {"Link", "</b>"}, {"Etag", `"v1"`},
		{"Age", "3"}, {"Content-Length", "4"}, {"Cache-Control", "max-age=60"}, {"X-Cache", "HIT"}, {"Cache-Status", "hoard; hit"},
	} {
		fields = append(fields, httpcache.Field{Name: f[0], Value: f[1]})
	}
	servers := map[string]func(h fasthttp.RequestHandler) *fasthttp.Server{
		"default":     func(h fasthttp.RequestHandler) *fasthttp.Server { return &fasthttp.Server{Handler: h} },
		"server name": func(h fasthttp.RequestHandler) *fasthttp.Server { return &fasthttp.Server{Handler: h, Name: "srv"} },
		"no keep-alive": func(h fasthttp.RequestHandler) *fasthttp.Server {
			return &fasthttp.Server{Handler: h, DisableKeepalive: true}
		},
		"secure logging": func(h fasthttp.RequestHandler) *fasthttp.Server {
			return &fasthttp.Server{Handler: h, SecureErrorLogMessage: true}
		},
	}
	requests := map[string]string{
		"GET":               "GET /x HTTP/1.1\r\nHost: a\r\n\r\n",
		"HEAD":              "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n",
		"HTTP/1.0":          "GET /x HTTP/1.0\r\nHost: a\r\n\r\n",
		"Connection: close": "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	}
	for sname, newServer := range servers {
		for rname, req := range requests {
			t.Run(sname+"/"+rname, func(t *testing.T) {
				hit := func(templated bool) func(ctx *fasthttp.RequestCtx) {
					return func(ctx *fasthttp.RequestCtx) {
						body := []byte("body")
						if ctx.IsHead() {
							body = nil
						}
						h := &ctx.Response.Header
						if templated {
							var scratch templates
							var fresh fasthttp.ResponseHeader
							scratch.write(&fresh, fields, body != nil) // fills the template
							scratch.write(h, fields, body != nil)      // copies it
						} else {
							writeFields(h, fields, body != nil)
						}
						ctx.Response.SetStatusCode(200)
						ctx.Response.SetBodyRaw(body)
					}
				}
				plain := serveOnce(t, newServer(hit(false)), req)
				copied := serveOnce(t, newServer(hit(true)), req)
				if equal := bytes.Equal(plain, copied); equal != (sname != unsafeServer) {
					t.Fatalf("same bytes: %v\nfield by field:\n%s\nfrom a template:\n%s", equal, plain, copied)
				}
			})
		}
	}
}

// unsafeServer is the server configuration templates must not be used in.
const unsafeServer = "no default date"

var dateLine = regexp.MustCompile(`(?m)^Date: .*\r\n`)

// serveOnce serves one raw request through srv and returns the response,
// its Date line's value blanked out.
func serveOnce(t *testing.T, srv *fasthttp.Server, req string) []byte {
	t.Helper()
	c := &onceConn{r: bufio.NewReader(bytes.NewBufferString(req))}
	if err := srv.ServeConn(c); err != nil {
		t.Fatal(err)
	}
	return dateLine.ReplaceAll(c.out.Bytes(), []byte("Date: -\r\n"))
}

// onceConn hands a server one request and keeps what it writes.
type onceConn struct {
	r   io.Reader
	out bytes.Buffer
}

func (c *onceConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *onceConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *onceConn) Close() error                     { return nil }
func (c *onceConn) LocalAddr() net.Addr              { return onceAddr }
func (c *onceConn) RemoteAddr() net.Addr             { return onceAddr }
func (c *onceConn) SetDeadline(time.Time) error      { return nil }
func (c *onceConn) SetReadDeadline(time.Time) error  { return nil }
func (c *onceConn) SetWriteDeadline(time.Time) error { return nil }

var onceAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
