// Package bench holds hoard's comparisons with the bare handler and with
// peer caching libraries, and its load tools. Its peer dependencies (Gin,
// gin-cache, echo-http-cache, Fiber v2 and v3 with their cache middleware,
// go-redis/cache, x/perf) stay in this module so no other module's go.mod
// carries them.
//
// The package builds the same route, GET /items answering a JSON body, on
// every framework, bare and behind each cache ([Build]); drives servers
// with many concurrent requests for one cold URL over real sockets
// ([Storm]); measures the memory backend's bound ([MemoryBound]); and
// generates load ([Load]). The benchmarks in this module and the programs
// under cmd/ use it; `make bench` at the repository root runs them all and
// writes BENCHMARKS.md.
package bench
