//go:build unix

// Package testserver starts real servers (redis-server, memcached, DynamoDB
// Local, ...) for integration tests: on a free 127.0.0.1 port, in the test's
// temporary directory, stopped when the test ends. It also crashes, pauses
// and restarts them for fault tests.
//
// A missing binary skips the test, except when the environment has CI=true:
// then it fails, so a CI run can never pass by testing nothing.
package testserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary returns the path of the named program, looked up in PATH and then
// in the extra directories given. When it is missing the test is skipped, or
// failed under CI=true.
func Binary(t testing.TB, name string, extraDirs ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range extraDirs {
		p := d + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	Missing(t, "%s not found (make test installs it: see scripts/testdeps.sh)", name)
	return ""
}

// Missing skips the test for a missing dependency, or fails it under CI=true.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required test dependency missing: "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Config describes a server to start.
type Config struct {
	// Name labels log lines and failure messages.
	Name string
	// Command is the program to run.
	Command string
	// Args are its arguments; "{port}" and "{dir}" are replaced by the
	// server's port and working directory.
	Args []string
	// Port to listen on; 0 picks a free one.
	Port int
	// Dir is the working directory; empty means a new t.TempDir().
	Dir string
	// Env is added to the process environment.
	Env []string
	// ReadyTimeout bounds the wait for Ready. Default 60s.
	ReadyTimeout time.Duration
	// Ready reports whether the server at addr serves requests. Default:
	// a TCP connection to addr succeeds.
	Ready func(ctx context.Context, addr string) error
}

// Server is a running server process.
type Server struct {
	// Addr is "127.0.0.1:Port".
	Addr string
	Port int
	Dir  string

	t   testing.TB
	cfg Config

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	logs   *lockedBuffer
}

// Start runs the server and waits until it is ready. It is killed when the
// test ends.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = cfg.Command
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 60 * time.Second
	}
	if cfg.Ready == nil {
		cfg.Ready = DialReady
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	s := &Server{Dir: cfg.Dir, t: t, cfg: cfg, logs: &lockedBuffer{}}
	t.Cleanup(s.Stop)
	// A port picked by FreePort may be taken before the server binds it:
	// try a few fresh ports before giving up.
	attempts := 1
	if cfg.Port == 0 {
		attempts = 3
	}
	var err error
	for i := 0; i < attempts; i++ {
		port := cfg.Port
		if port == 0 {
			port = FreePort(t)
		}
		if err = s.start(port); err == nil {
			return s
		}
		s.Stop()
	}
	t.Fatalf("testserver: %s did not start: %v\n%s", cfg.Name, err, s.Logs())
	return nil
}

func (s *Server) start(port int) error {
	s.Port = port
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := make([]string, len(s.cfg.Args))
	for i, a := range s.cfg.Args {
		a = strings.ReplaceAll(a, "{port}", strconv.Itoa(port))
		args[i] = strings.ReplaceAll(a, "{dir}", s.Dir)
	}
	cmd := exec.Command(s.cfg.Command, args...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), s.cfg.Env...)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	// Own process group, so a kill also reaches children (java launchers).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ReadyTimeout)
	defer cancel()
	for {
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready", s.cfg.Name)
		default:
		}
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		err := s.cfg.Ready(attempt, s.Addr)
		cancelAttempt()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %v: %w", s.cfg.Name, s.cfg.ReadyTimeout, err)
		case <-exited:
			return fmt.Errorf("%s exited before it was ready", s.cfg.Name)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// DialReady is the default readiness check: a TCP connection succeeds.
func DialReady(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// Stop kills the server (SIGKILL: a crash, not a clean shutdown) and waits
// for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGCONT) // a paused process must be able to die
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		s.t.Errorf("testserver: %s did not exit after SIGKILL", s.cfg.Name)
	}
}

// Restart stops the server and starts it again on the same port and
// directory.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(s.Port); err != nil {
		s.t.Fatalf("testserver: %s did not restart: %v\n%s", s.cfg.Name, err, s.Logs())
	}
}

// Pause stops the process with SIGSTOP: it keeps its connections but
// answers nothing, like a stalled server. It returns once the process is
// stopped (SIGSTOP is delivered asynchronously).
func (s *Server) Pause() {
	s.signal(syscall.SIGSTOP)
	s.mu.Lock()
	pid := 0
	if s.cmd != nil {
		pid = s.cmd.Process.Pid
	}
	s.mu.Unlock()
	for deadline := time.Now().Add(5 * time.Second); pid != 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil { // no /proc: fall back to a short wait
			time.Sleep(50 * time.Millisecond)
			return
		}
		// The state letter follows the parenthesised command name.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return
		}
	}
}

// Resume continues a paused process with SIGCONT.
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		s.t.Errorf("testserver: %s is not running", s.cfg.Name)
		return
	}
	if err := syscall.Kill(-s.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		s.t.Errorf("testserver: signal %v to %s: %v", sig, s.cfg.Name, err)
	}
}

// Logs returns what the server printed so far.
func (s *Server) Logs() string { return s.logs.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep memory bounded for chatty servers
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
