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
// end it at once, before anything is built or handed over, with one line
// on stderr naming the problem, nothing on stdout, and exit status 1.
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
		{"bad db", []string{"-backend", "redis://127.0.0.1:6379/db0"}, nil, `database "db0" is not a number`},
		{"from the environment", nil, []string{"HOARD_BACKEND=redis://127.0.0.1:6379/-3"}, `database "-3" is not a number`},
		{"unknown adapter", []string{"-adapter", "chi"}, nil, `unknown adapter "chi" (want stdlib, echo, fiber or gin)`},
		{"unknown adapter from the environment", nil, []string{"HOARD_ADAPTER=beego"}, `unknown adapter "beego"`},
		{"bad URL with another adapter", []string{"-adapter", "echo", "-backend", "memcache://127.0.0.1:0"}, nil, "not between 1 and 65535"},
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
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v to fail; want at once", took)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "quickstart: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr %q; want one line \"quickstart: ...%s...\"", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q; want nothing", stdout.String())
			}
		})
	}
}

// TestHelp: -h lists the flags and says where the other adapters and
// backends are, and exits 0.
func TestHelp(t *testing.T) {
	out, err := exec.Command(demotest.Binary(t), "-h").CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	for _, want := range []string{"-adapter", "stdlib, echo, fiber or gin", "-backend", "examples/quickstart/all"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// TestCommandServes runs the built program: with its defaults it serves
// net/http on the memory backend itself; with another adapter it builds
// and runs examples/quickstart/all, which serves that adapter. Each reads
// the address from the banner, gets a MISS then a HIT and the index, and
// stops on SIGINT with exit status 0.
func TestCommandServes(t *testing.T) {
	bin := demotest.Binary(t)
	tests := []struct {
		adapter  string
		handover bool
	}{
		{demo.AdapterStdlib, false},
		{demo.AdapterGin, true},
	}
	for _, tt := range tests {
		t.Run(tt.adapter, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
			cmd.Env = append(demotest.CleanEnv(), "HOARD_ADAPTER="+tt.adapter)
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
			if m == nil || m[2] != demo.FrameworkNames[tt.adapter] {
				t.Fatalf("banner %q: want the address, the %s adapter and the memory backend", banner, demo.FrameworkNames[tt.adapter])
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
			res, err := http.Get(m[1] + "/")
			if err != nil {
				t.Fatal(err)
			}
			index, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(index), demo.FrameworkNames[tt.adapter]+" adapter") {
				t.Errorf("GET /: %q, want the %s adapter named", index, tt.adapter)
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("after SIGINT: %v; want exit status 0; stderr: %s", err, &stderr)
			}
			handedOver := strings.Contains(stderr.String(), "served by examples/quickstart/all")
			if handedOver != tt.handover {
				t.Errorf("handed over %v, want %v; stderr: %s", handedOver, tt.handover, &stderr)
			}
		})
	}
}

// TestHandOverFails: a failure of the handed-over program (a server that
// does not answer) is its one line after the hand-over notice, and its
// exit status.
func TestHandOverFails(t *testing.T) {
	bin := demotest.Binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-backend", "redis://127.0.0.1:1/0")
	cmd.Env = demotest.CleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v; want status 1\nstderr: %s", err, &stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(lines[0], "-backend redis://127.0.0.1:1/0 is served by examples/quickstart/all") ||
		!strings.HasPrefix(last, "quickstart: cannot reach redis at 127.0.0.1:1") {
		t.Errorf("stderr %q; want the hand-over notice, then the redis error", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q; want nothing", stdout.String())
	}
}
