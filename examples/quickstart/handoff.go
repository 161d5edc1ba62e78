package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// exitCode is the status the handed-over program exited with.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// allModule is the quickstart with every adapter and backend.
const allModule = "github.com/hoard-go/hoard/examples/quickstart/all"

// handOver builds examples/quickstart/all with the go command and runs it
// with cfg's arguments, passing SIGINT and SIGTERM on; its exit status
// becomes this program's. backend is cfg.Backend as shown to people (its
// password redacted: demo.BackendURL.Display).
func handOver(cfg demo.Config, backend string) error {
	goTool := goCommand()
	dir, err := allDir(goTool)
	if err != nil {
		return err
	}
	what := "-adapter " + cfg.Adapter
	if cfg.Adapter == demo.AdapterStdlib {
		what = "-backend " + backend
	}
	fmt.Fprintf(os.Stderr, "quickstart: %s is served by examples/quickstart/all (every adapter and backend); building it, the first time downloads their drivers\n", what)
	tmp, err := os.MkdirTemp("", "hoard-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "quickstart-all")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = dir
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building %s: %w", dir, err)
	}

	cmd := exec.Command(bin, cfg.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-signals:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if code := exit.ExitCode(); code > 0 {
			return exitCode(code)
		}
		return exitCode(1) // killed by a signal
	}
	return err
}

// goCommand is the go command on PATH, else the one of the toolchain that
// built this program.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// allDir finds examples/quickstart/all: beside this program's source when
// built from a checkout (go run), else through the go command from the
// working directory.
func allDir(goTool string) (string, error) {
	var dirs []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "all"))
	}
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}", allModule).Output()
	if err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("cannot find examples/quickstart/all: from a checkout of hoard, run go run ./examples/quickstart/all with the same flags")
}
