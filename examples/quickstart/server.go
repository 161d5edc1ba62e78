package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Adapter names the -adapter flag takes.
const (
	adapterStdlib = "stdlib"
	adapterEcho   = "echo"
	adapterFiber  = "fiber"
)

var adapters = []string{adapterStdlib, adapterEcho, adapterFiber}

// server is the demo API served by one adapter's framework.
type server interface {
	// Serve serves on ln until Shutdown; it returns nil after Shutdown.
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// newServer mounts d's routes in the named framework, cached by its hoard
// adapter.
func newServer(adapter string, d *demo) (server, error) {
	switch adapter {
	case adapterStdlib:
		return newStdlibServer(d)
	case adapterEcho:
		return newEchoServer(d)
	case adapterFiber:
		return newFiberServer(d)
	}
	return nil, fmt.Errorf("unknown adapter %q (want stdlib, echo or fiber)", adapter)
}

// httpServer serves a net/http handler (net/http and Echo).
type httpServer struct{ srv *http.Server }

func newHTTPServer(h http.Handler) httpServer {
	return httpServer{&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
}

func (s httpServer) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s httpServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
