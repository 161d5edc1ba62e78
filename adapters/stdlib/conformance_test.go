package hoardhttp_test

import (
	"testing"

	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, adaptertest.NetHTTPServer(hoardhttp.Middleware),
		adaptertest.WithPurgeServer(adaptertest.NetHTTPPurge(httpcache.PurgeHandler)))
}
