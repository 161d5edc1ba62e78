package hoardmemcache

import "strings"

// isTooLarge reports memcached's "SERVER_ERROR object too large for cache",
// which gomemcache passes on only as text.
func isTooLarge(err error) bool {
	return strings.Contains(err.Error(), "object too large")
}
