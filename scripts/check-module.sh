#!/usr/bin/env bash
# check-module.sh DIR [go test flags...]: the checks every module must pass.
set -uo pipefail
dir=$1; shift
cd "$dir" || exit 2
status=0
step() { echo "-- $dir: $*"; "$@" || { echo "!! $dir: failed: $*"; status=1; }; }

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then echo "!! $dir: gofmt -l is not empty:"; echo "$unformatted"; status=1; fi
step go vet ./...
step go test -race -count=1 -timeout 15m "$@" ./...
# Each module must also build and compile its tests on its own, without the workspace.
step env GOWORK=off go build -o /dev/null ./...
step env GOWORK=off go vet ./...
exit $status
