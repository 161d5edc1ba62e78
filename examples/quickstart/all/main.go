// Command all is the quickstart with every adapter (net/http, Echo, Fiber,
// Gin) and every backend (memory, Redis, Memcached, DynamoDB): a module of
// its own, so that the default quickstart (examples/quickstart, net/http
// on the memory backend) downloads none of their drivers. The default
// quickstart hands any other -adapter or -backend over to this program;
// it also runs on its own, with the same flags:
//
//	go run ./examples/quickstart/all -adapter gin -backend redis://127.0.0.1:6379/0
//
// See examples/quickstart for the flags.
package main

import "github.com/hoard-go/hoard/examples/quickstart/internal/demo"

// program has every adapter and backend.
var program = demo.Program{
	Servers: map[string]func(*demo.Demo) (demo.Server, error){
		demo.AdapterStdlib: demo.NewStdlibServer,
		demo.AdapterEcho:   newEchoServer,
		demo.AdapterFiber:  newFiberServer,
		demo.AdapterGin:    newGinServer,
	},
	Open: openBackend,
}

func main() { demo.Main(program) }
