//go:build unix

package testserver_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/hoard-go/hoard/core/testserver"
)

// DialReady, the default readiness check, is satisfied as soon as the port
// accepts connections.
func ExampleDialReady() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	fmt.Println("listening:", testserver.DialReady(ctx, addr))
	ln.Close()
	fmt.Println("closed, refused:", testserver.DialReady(ctx, addr) != nil)
	// Output:
	// listening: <nil>
	// closed, refused: true
}

// A server that accepts connections before it can serve needs a Ready
// function that asks it something. In a test the Config goes to Start:
//
//	srv := testserver.Start(t, testserver.Config{
//		Name:    "redis-server",
//		Command: testserver.Binary(t, "redis-server"),
//		Args:    []string{"--port", "{port}", "--bind", "127.0.0.1", "--save", ""},
//		Ready:   pingReady,
//	})
//
// Here the Ready function is tried on a stand-in that answers PING.
func ExampleConfig() {
	pingReady := func(ctx context.Context, addr string) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if dl, ok := ctx.Deadline(); ok {
			_ = c.SetDeadline(dl)
		}
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			return err
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+PONG") {
			return fmt.Errorf("not ready: %q", strings.TrimSpace(line))
		}
		return nil
	}
	cfg := testserver.Config{Name: "redis-server", Ready: pingReady}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	replies := []string{"-LOADING Redis is loading the dataset in memory\r\n", "+PONG\r\n"}
	go func() {
		for _, reply := range replies {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = bufio.NewReader(c).ReadString('\n')
			_, _ = c.Write([]byte(reply))
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println(cfg.Name, "first try:", cfg.Ready(ctx, ln.Addr().String()))
	fmt.Println(cfg.Name, "second try:", cfg.Ready(ctx, ln.Addr().String()))
	// Output:
	// redis-server first try: not ready: "-LOADING Redis is loading the dataset in memory"
	// redis-server second try: <nil>
}
