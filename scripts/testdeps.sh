#!/usr/bin/env bash
# testdeps.sh NAME...: install what the integration tests need when it is missing.
# Names: redis, memcached, dynamodb-local, node (node and npm). Installs only; the tests start and stop the servers.
set -euo pipefail
cache=${HOARD_CACHE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.cache}
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
for dep in "$@"; do
  case "$dep" in
    redis)
      if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        echo "installing redis-server (apt)"; apt_install redis-server redis-tools
        # The package starts a system service on 6379; the tests use their own servers.
        (service redis-server stop || true) >/dev/null 2>&1
      fi ;;
    memcached)
      if ! command -v memcached >/dev/null; then
        echo "installing memcached (apt)"; apt_install memcached
        (service memcached stop || true) >/dev/null 2>&1
      fi ;;
    node)
      if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "installing node and npm (apt)"; apt_install nodejs npm
      fi ;;
    dynamodb-local)
      dir="$cache/dynamodb-local"
      command -v java >/dev/null || { echo "installing java (apt)"; apt_install openjdk-17-jre-headless; }
      if [ ! -f "$dir/DynamoDBLocal.jar" ]; then
        command -v npm >/dev/null || { echo "installing npm (apt)"; apt_install npm; }
        echo "fetching DynamoDB Local (npm package amplify-dynamodb-simulator)"
        tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
        (cd "$tmp" && npm pack --silent amplify-dynamodb-simulator@${DYNAMODB_SIMULATOR_VERSION:-2.9.30} >/dev/null && tar -xzf ./*.tgz)
        jar=$(find "$tmp/package" -name DynamoDBLocal.jar | head -n1)
        [ -n "$jar" ] || { echo "DynamoDBLocal.jar not found in the npm package"; exit 1; }
        # Copy then rename, so an interrupted fetch never looks installed.
        rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"; cp -r "$(dirname "$jar")"/. "$dir.tmp"/
        rm -rf "$dir"; mv "$dir.tmp" "$dir"
      fi ;;
    *) echo "testdeps.sh: unknown dependency $dep"; exit 2 ;;
  esac
done
