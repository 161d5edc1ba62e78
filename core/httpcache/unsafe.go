package httpcache

import "unsafe"

// unsafeString views b as a string without copying. Only for bytes that
// are never modified while the string is in use: envelope bytes from a
// backend (read-only by the Backend contract) and the engine's own key
// buffer, until it is reused.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
