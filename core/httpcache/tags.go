package httpcache

import (
	"slices"
	"strings"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/envelope"
)

// Tags of stored responses, for hoard.Cache.InvalidateTags: the route's
// (WithTags, WithTagsFunc), a response field's (WithTagHeader), and in
// shared mode the RFC 9875 cache groups of the response's Cache-Groups,
// scoped to its origin. A successful unsafe request whose response has
// Cache-Group-Invalidation invalidates those groups (shared mode).

// tagsBlock is the tags block of the response being committed (x.snap
// holds its fields), or nil for an untagged one.
func (x *exchange) tagsBlock() []byte {
	cfg := &x.e.cfg
	if len(cfg.tags) == 0 && len(x.reqTags) == 0 && cfg.tagHeader == "" && cfg.mode != SharedCache {
		return nil
	}
	tags := slices.Clone(cfg.tags)
	add := func(t string) {
		if hoard.ValidateTag(t) == nil && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	for _, t := range x.reqTags {
		add(t)
	}
	for _, f := range x.snap {
		switch {
		case cfg.tagHeader != "" && f.Name == cfg.tagHeader:
			for _, t := range strings.FieldsFunc(f.Value, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
				add(t)
			}
		case cfg.mode == SharedCache && f.Name == "Cache-Groups":
			for _, g := range parseStringList(f.Value) {
				add(groupTag(x.host, g))
			}
		}
	}
	return envelope.AppendTags(nil, x.requestTime, tags)
}

// groupTag is the tag of cache group g of origin host (RFC 9875 section
// 2: groups are scoped to their origin).
func groupTag(host, g string) string {
	return "group:" + hoard.HashString(strings.ToLower(host)+"\n"+g)
}

// groupInvalidations returns the tags of the groups a
// Cache-Group-Invalidation value names, for origin host.
func groupInvalidations(host, value string) []string {
	var tags []string
	for _, g := range parseStringList(value) {
		tags = append(tags, groupTag(host, g))
	}
	return tags
}

// parseStringList parses an RFC 8941 List of Strings (`"a", "b";p=1`):
// parameters are ignored, and members that are not strings are skipped.
func parseStringList(v string) []string {
	var out []string
	for v != "" {
		var member string
		member, v = nextDirective(v)
		member = strings.TrimSpace(member)
		if i := strings.IndexByte(member, ';'); i >= 0 && !strings.Contains(member[:i], `"`) {
			continue // a token or number with parameters: not a string
		}
		if len(member) < 2 || member[0] != '"' {
			continue
		}
		var b strings.Builder
		closed := false
		for i := 1; i < len(member); i++ {
			c := member[i]
			if c == '\\' && i+1 < len(member) {
				i++
				b.WriteByte(member[i])
				continue
			}
			if c == '"' {
				closed = true
				break
			}
			b.WriteByte(c)
		}
		if closed {
			out = append(out, b.String())
		}
	}
	return out
}
