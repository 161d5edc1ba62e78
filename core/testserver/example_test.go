//go:build unix

package testserver_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
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
//		Ready:   testserver.RedisReady,
//	})
//
// (testserver.Redis does exactly this.) Here RedisReady is tried on a
// stand-in that answers PING.
func ExampleConfig() {
	cfg := testserver.Config{Name: "redis-server", Ready: testserver.RedisReady}

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
	// redis-server first try: PING answered "-LOADING Redis is loading the dataset in memory"
	// redis-server second try: <nil>
}
