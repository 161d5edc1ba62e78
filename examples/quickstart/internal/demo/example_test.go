package demo_test

import (
	"fmt"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// A -backend value names the backend and where its server is; a password
// never appears in what is displayed.
func ExampleParseBackendURL() {
	for _, raw := range []string{
		"memory://",
		"rediss://app:secret@cache.internal:6380/2",
		"memcache://10.0.0.1,10.0.0.2:11300",
		"redis://127.0.0.1:6379/db0",
	} {
		b, err := demo.ParseBackendURL(raw)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(b.Kind, b.Display, b.Addrs)
	}
	// Output:
	// memory memory:// []
	// redis rediss://app:xxxxx@cache.internal:6380/2 [cache.internal:6380]
	// memcache memcache://10.0.0.1,10.0.0.2:11300 [10.0.0.1:11211 10.0.0.2:11300]
	// error: backend URL redis://127.0.0.1:6379/db0: database "db0" is not a number >= 0 (redis://host:port/0)
}
