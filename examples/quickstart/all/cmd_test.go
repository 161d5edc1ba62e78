package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
	"github.com/hoard-go/hoard/examples/quickstart/internal/demotest"
)

func TestMain(m *testing.M) { demotest.Main(m) }

// TestCommandFails runs the built program with bad settings: each must
// end it with one line on stderr naming the problem, nothing on stdout,
// and exit status 1. Every server address is 127.0.0.1 on port 1, where
// nothing listens.
func TestCommandFails(t *testing.T) {
	bin := demotest.Binary(t)
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown scheme", []string{"-backend", "mongodb://127.0.0.1:27017"}, nil, `unknown scheme "mongodb"`},
		{"unparsable", []string{"-backend", "redis://[::1"}, nil, "cannot be parsed"},
		{"no scheme", []string{"-backend", "127.0.0.1"}, nil, "has no scheme"},
		{"missing host", []string{"-backend", "redis:///0"}, nil, "no host"},
		{"bad db", []string{"-backend", "redis://127.0.0.1:6379/db0"}, nil, `database "db0" is not a number`},
		{"bad memcache port", []string{"-backend", "memcache://127.0.0.1:0"}, nil, "not between 1 and 65535"},
		{"dynamodb without table", []string{"-backend", "dynamodb://?endpoint=http://127.0.0.1:1"}, nil, "no table name"},
		{"from the environment", nil, []string{"HOARD_BACKEND=redis://127.0.0.1:6379/-3"}, `database "-3" is not a number`},
		{"unknown adapter", []string{"-adapter", "chi"}, nil, `unknown adapter "chi"`},
		{"unknown adapter from the environment", nil, []string{"HOARD_ADAPTER=beego"}, `unknown adapter "beego"`},
		{"redis unreachable", []string{"-backend", "redis://127.0.0.1:1/0"}, nil, "cannot reach redis at 127.0.0.1:1"},
		{"memcache unreachable", []string{"-backend", "memcache://127.0.0.1:1"}, nil, "cannot reach memcached at 127.0.0.1:1"},
		{"one memcache server unreachable", []string{"-backend", "memcache://127.0.0.1:1,127.0.0.1:2"}, nil, "cannot reach memcached at 127.0.0.1:1"},
		{"dynamodb unreachable", []string{"-backend", "dynamodb://hoard?endpoint=http://127.0.0.1:1"}, nil, "cannot reach DynamoDB at http://127.0.0.1:1"},
		// No request is made: without an endpoint it would go to AWS.
		{"dynamodb on AWS without credentials", []string{"-backend", "dynamodb://hoard"}, []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="}, "needs AWS_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, tt.args...)...)
			cmd.Env = append(demotest.CleanEnv(), tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v; want status 1\nstdout: %s\nstderr: %s", err, &stdout, &stderr)
			}
			if took := time.Since(start); took > 2*connectTimeout {
				t.Errorf("took %v to fail; want well within %v", took, 2*connectTimeout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "quickstart: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr %q; want one line \"quickstart: ...%s...\"", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q; want nothing before the program is ready", stdout.String())
			}
		})
	}
}

// TestCommandServes runs the built program with its defaults (but a free
// port), reads the address from its banner, gets a MISS then a HIT, and
// stops it with SIGINT: it must exit 0.
func TestCommandServes(t *testing.T) {
	bin := demotest.Binary(t)
	for _, adapter := range demo.Adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
			cmd.Env = append(demotest.CleanEnv(), "HOARD_ADAPTER="+adapter)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill() }()
			banner, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				t.Fatalf("reading the banner: %v; stderr: %s", err, &stderr)
			}
			m := regexp.MustCompile(`^hoard quickstart on (http://127\.0\.0\.1:\d+) \((\S+) adapter, memory:// backend\)`).FindStringSubmatch(banner)
			if m == nil || m[2] != demo.FrameworkNames[adapter] {
				t.Fatalf("banner %q: want the address, the %s adapter and the memory backend", banner, demo.FrameworkNames[adapter])
			}
			go func() { _, _ = io.Copy(io.Discard, out) }()
			for _, want := range []string{"MISS", "HIT"} {
				res, err := http.Get(m[1] + "/report")
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get("X-Cache"); got != want {
					t.Errorf("X-Cache %q, want %q", got, want)
				}
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("after SIGINT: %v; want exit status 0; stderr: %s", err, &stderr)
			}
		})
	}
}
