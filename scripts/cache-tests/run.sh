#!/usr/bin/env bash
# run.sh: run the HTTP working group's cache tests (cache-tests.fyi, npm
# http-cache-tests) against examples/proxy, hoard as a shared cache on the
# memory backend, and compare with the results the suite ships for other
# caches. Everything listens on 127.0.0.1 only and is stopped at the end.
#
#   make cache-tests                    the summary table and hoard's failures
#   CACHE_TESTS_ID=age-parse-float ...  one test, with its exchange dumped
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${HOARD_CACHE_DIR:-$root/.cache}
version=${CACHE_TESTS_VERSION:-0.4.5}
suite="$cache/cache-tests-$version/node_modules/http-cache-tests"
HOARD_CACHE_DIR=$cache "$root/scripts/testdeps.sh" node
if [ ! -f "$suite/cli.mjs" ]; then
  echo "installing http-cache-tests@$version (npm)"
  mkdir -p "$cache/cache-tests-$version"
  (cd "$cache/cache-tests-$version" && npm install --silent --no-audit --no-fund "http-cache-tests@$version" >/dev/null)
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
freeport() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
waitport() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing listens on 127.0.0.1:$1" >&2; return 1; }

origin=$(freeport)
proxy=$(freeport)
# The suite's origin listens on every interface; loopback.mjs binds it to 127.0.0.1.
# exec: $! is then node itself, not a subshell that cleanup would kill while node
# kept the port.
(cd "$suite" && npm_config_protocol=http npm_config_port="$origin" npm_config_pidfile="$work/origin.pid" \
  exec node --import "$root/scripts/cache-tests/loopback.mjs" server/server.mjs >"$work/origin.log" 2>&1) &
pids+=($!)
(cd "$root/examples" && ${GO:-go} build -o "$work/proxy" ./proxy)
"$work/proxy" -listen "127.0.0.1:$proxy" -upstream "http://127.0.0.1:$origin" ${CACHE_TESTS_PROXY_FLAGS:-} >"$work/proxy.log" 2>&1 &
pids+=($!)
waitport "$origin"
waitport "$proxy"

out=${CACHE_TESTS_OUT:-$work/hoard.json}
(cd "$suite" && npm_config_base="http://127.0.0.1:$proxy" npm_config_id="${CACHE_TESTS_ID:-}" npm_package_config_id="${CACHE_TESTS_ID:-}" \
  node --no-warnings cli.mjs) >"$out"
if [ -n "${CACHE_TESTS_ID:-}" ]; then cat "$out"; exit 0; fi
node "$root/scripts/cache-tests/compare.mjs" "$suite" "$out" apache squid trafficserver nginx varnish fastly
