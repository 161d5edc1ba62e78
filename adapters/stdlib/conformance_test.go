package hoardhttp_test

import (
	"testing"

	"github.com/hoard-go/hoard/core/adaptertest"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, adaptertest.NetHTTPServer(hoardhttp.Middleware))
}
