// Package chaos drives a real hoard server while its backend fails: the
// pieces `make chaos` is built from. The server (cmd/chaosserver) caches
// GET /item/{id} through hoardhttp on Redis, Memcached, DynamoDB or the
// memory store; its bodies are a pure function of the URL ([Body]), so the
// load generator ([Start]) checks every response it reads. TestChaos (run
// with HOARD_CHAOS=1, as `make chaos` does) kills, stalls and restarts the
// backend servers under that load and prints one
// "CHAOS <scenario> <metric> <value>" line per figure.
package chaos
