#!/usr/bin/env bash
# instructions.sh: instructions per operation of Go benchmarks, counted by
# valgrind's callgrind. Unlike ns/op, the count barely moves between runs
# on a shared machine, so two benchmarks (or two versions of one) compare
# exactly; it says nothing about cache misses or waiting, so read it next
# to ns/op, not instead of it.
#
#   bench/instructions.sh DIR BENCH [BENCH...]
#   bench/instructions.sh adapters/fiber HoardHit FiberCache Bare
#
# Each BENCH (a name without "Benchmark", matched whole) runs on one
# goroutine (-test.cpu 1) for N and then 2N iterations; the difference
# divided by N leaves out start-up and warm-up. The first BENCH is the
# reference of the ratio column. N is INSTR_N (default 50000).
# Benchmarks that use RunParallel are not meaningful here: valgrind runs
# one thread at a time. Nor are packages whose tests start servers (bench):
# callgrind gives up on the signals around child processes.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }

dir=$1
shift
n=${INSTR_N:-50000}
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
(cd "$dir" && go test -c -o "$bin" .)

# count BENCH ITERATIONS: instructions of one run of the test binary.
# valgrind now and then crashes as the Go runtime starts a thread: such a
# run is retried.
count() {
  local out try
  for try in 1 2 3 4; do
    if out=$(GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" \
      -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchtime "${2}x" -test.cpu 1 2>&1); then
      break
    fi
    if [ "$try" = 4 ] || ! grep -q 'valgrind.org' <<<"$out"; then
      echo "instructions.sh: $1 failed under valgrind:" >&2
      echo "$out" | tail -20 >&2
      exit 1
    fi
  done
  grep -q "^Benchmark$1" <<<"$out" || { echo "instructions.sh: no benchmark named Benchmark$1 in $dir" >&2; exit 1; }
  awk '/Collected/ {gsub(",", "", $4); print $4}' <<<"$out"
}

ref=""
printf '%-28s %12s %8s\n' benchmark instr/op ratio
for b in "$@"; do
  one=$(count "$b" "$n")
  two=$(count "$b" $((2 * n)))
  per=$(((two - one) / n))
  [ -n "$ref" ] || ref=$per
  printf '%-28s %12d %8s\n' "$b" "$per" "$(awk -v a="$per" -v r="$ref" 'BEGIN {printf "%.3f", a / r}')"
done
