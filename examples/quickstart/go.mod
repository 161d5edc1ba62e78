module github.com/hoard-go/hoard/examples/quickstart

go 1.26.0

require github.com/hoard-go/hoard/core v0.0.0

require (
	github.com/klauspost/cpuid/v2 v2.2.10 // indirect
	github.com/maypok86/otter/v2 v2.4.0 // indirect
	github.com/zeebo/xxh3 v1.1.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

replace github.com/hoard-go/hoard/core => ../../core
