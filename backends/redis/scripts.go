package hoardredis

import (
	"crypto/sha1"
	"encoding/hex"
)

// genLen is the length of a namespace generation: 8 random bytes. Every
// stored value starts with the generation of its namespace shard at the time
// it was written; ClearNamespace replaces the generation, which turns every
// older entry into a miss at once, for every process. A Get reads the entry
// and the generation with one MGET (they share a hash slot) and compares
// them in Go: no script on the hot path.
const genLen = 8

// setScriptSrc stores ARGV[1] behind the current generation, creating the
// generation (from ARGV[3], fresh random bytes) when it is missing. A
// generation is never reused, so an evicted generation key can only make
// entries miss, never bring cleared ones back.
//
// KEYS[1] entry, KEYS[2] generation; ARGV[1] value, ARGV[2] TTL in
// milliseconds (0: none), ARGV[3] a fresh generation.
const setScriptSrc = `
local g = redis.call('GET', KEYS[2])
if not g or #g ~= 8 then
  g = ARGV[3]
  redis.call('SET', KEYS[2], g)
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], g .. ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[1], g .. ARGV[1])
end
return 1
`

// setScriptSHA is the digest EVALSHA names the script by.
var setScriptSHA = func() string {
	sum := sha1.Sum([]byte(setScriptSrc))
	return hex.EncodeToString(sum[:])
}()
