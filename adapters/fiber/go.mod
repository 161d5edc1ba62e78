module github.com/hoard-go/hoard/adapters/fiber

go 1.25.0

require github.com/hoard-go/hoard/core v0.0.0

replace github.com/hoard-go/hoard/core => ../../core
