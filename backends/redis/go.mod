module github.com/hoard-go/hoard/backends/redis

go 1.26.0

require (
	github.com/hoard-go/hoard/core v0.0.0
	github.com/redis/go-redis/v9 v9.22.0
	github.com/zeebo/xxh3 v1.1.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/klauspost/cpuid/v2 v2.2.10 // indirect
	github.com/maypok86/otter/v2 v2.4.0 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

replace github.com/hoard-go/hoard/core => ../../core
