package demotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The program Binary builds: once per test binary, removed by Main.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// Binary builds the program in the test's package directory once per test
// run, as `go run` would, and returns its path. It skips the test with
// -short.
func Binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the program; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "quickstart-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "quickstart")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// Main runs the tests, then removes what Binary built. Call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// CleanEnv is the test's environment without the variables the program
// reads, so a developer's HOARD_BACKEND cannot change the outcome.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOARD_ADAPTER=") && !strings.HasPrefix(kv, "HOARD_BACKEND=") {
			env = append(env, kv)
		}
	}
	return env
}
