package hoard

import (
	"errors"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

var (
	// ErrNotFound reports a cache miss. Backends return it (possibly wrapped)
	// for a missing or expired key.
	ErrNotFound = errors.New("hoard: not found")
	// ErrTooLarge reports a value larger than a backend can store. The
	// response or result is still returned to the caller, just not cached.
	ErrTooLarge = errors.New("hoard: value too large")
	// ErrClosed reports use of a backend or cache after Close.
	ErrClosed = errors.New("hoard: closed")
	// ErrCorrupt reports stored bytes that are not a valid entry for the
	// requested key. The cache treats it as a miss.
	ErrCorrupt = envelope.ErrCorrupt
	// ErrUnavailable reports that the backend was not asked because the
	// circuit breaker is open.
	ErrUnavailable = errors.New("hoard: backend unavailable")
	// ErrInvalidKey reports a key or namespace that cannot be used.
	ErrInvalidKey = errors.New("hoard: invalid key")
	// ErrInvalidOption reports a bad option given to a constructor.
	ErrInvalidOption = errors.New("hoard: invalid option")
)
