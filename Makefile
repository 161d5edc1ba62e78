# hoard's build entry points. The root has no go.mod: every target loops over modules.
#
#   make test            gofmt, vet, race tests and a GOWORK=off build of every module
#   make test M=core     the same for one module (any module folder)
#   make bench           the benchmarks
#   make deps            install the servers the tests need (redis, memcached, DynamoDB Local)
#   make cache-tests     the cache-tests.fyi suite against examples/proxy

SHELL := /bin/bash
MODULES := core adapters/stdlib adapters/echo adapters/fiber adapters/gin backends/redis backends/memcache backends/dynamo otel examples examples/quickstart examples/quickstart/all bench
M ?= $(MODULES)
GO ?= go
TESTFLAGS ?=
BENCHFLAGS ?= -run=^$$ -bench=. -benchmem -count=1
HOARD_CACHE_DIR ?= $(CURDIR)/.cache
export HOARD_CACHE_DIR

.PHONY: test bench deps quickstart

test:
	@set -euo pipefail; failed=""; \
	for m in $(M); do \
	  [ -f "$$m/go.mod" ] || { echo "no module at $$m"; exit 2; }; \
	  if [ -f "$$m/testdeps" ]; then ./scripts/testdeps.sh $$(cat "$$m/testdeps") || failed="$$failed $$m(deps)"; fi; \
	  echo "== $$m"; \
	  if ! ./scripts/check-module.sh "$$m" $(TESTFLAGS); then failed="$$failed $$m"; fi; \
	done; \
	if [ "$${CI:-}" = true ]; then $(MAKE) chaos || failed="$$failed chaos"; fi; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; \
	echo "all modules passed: $(M)"

deps:
	@./scripts/testdeps.sh $$(cat $(addsuffix /testdeps,$(M)) 2>/dev/null | tr '\n' ' ')

# make bench: hoard against the bare handler and the peers (bench/run.sh):
# hit cost with benchstat, miss storm, memory bound, load over sockets; one
# "BENCH <name> <value>" line per comparison, then BENCHMARKS.md. Knobs:
# BENCH_COUNT (6), BENCH_TIME (500ms), LOAD_SECONDS (5), LOAD_ROUNDS (3).
bench:
	@./scripts/testdeps.sh $$(cat bench/testdeps)
	@./bench/run.sh

# make loadtest: only the load over sockets (bench/loadtest.sh, wrk).
loadtest:
	@./bench/loadtest.sh

# make bench-modules: every module's own benchmarks (BENCHFLAGS).
bench-modules:
	@set -euo pipefail; for m in $(M); do \
	  if [ -f "$$m/testdeps" ]; then ./scripts/testdeps.sh $$(cat "$$m/testdeps"); fi; \
	  echo "== $$m"; (cd "$$m" && $(GO) test $(BENCHFLAGS) ./...); \
	done

quickstart:
	$(GO) run ./examples/quickstart

# make cache-tests: the HTTP working group's cache tests (cache-tests.fyi)
# against examples/proxy, compared with the results the suite ships for
# other caches (scripts/cache-tests; npm, node; 127.0.0.1 only; ~20s).
.PHONY: cache-tests
cache-tests:
	@GO=$(GO) ./scripts/cache-tests/run.sh

# make chaos: fault, load and abuse run (bench/chaos; minutes; 127.0.0.1 only):
# a server built from the project under load while Redis, Memcached and
# DynamoDB Local are killed, stalled and restarted; 10,000 distinct URLs on a
# bounded memory store (peak RSS); then every fuzz target for CHAOS_FUZZTIME
# (10s) each. Prints "CHAOS <scenario> <metric> <value>" lines and tables.
# make test runs it when CI=true.
.PHONY: chaos
chaos:
	@./scripts/testdeps.sh redis memcached dynamodb-local
	@set -uo pipefail; status=0; \
	(cd bench && HOARD_CHAOS=1 $(GO) test ./chaos -run '^TestChaos$$' -count=1 -v -timeout 10m) || status=1; \
	GO=$(GO) ./bench/chaos/fuzz.sh || status=1; \
	exit $$status
