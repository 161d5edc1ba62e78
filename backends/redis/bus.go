package hoardredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoard-go/hoard/core/tiered"
)

// DefaultBusChannel is the pub/sub channel a Bus uses unless told another.
const DefaultBusChannel = "hoard:invalidations"

// BusClient is the part of a go-redis client a Bus uses: every
// redis.UniversalClient has it.
type BusClient interface {
	Publish(ctx context.Context, channel string, message any) *redis.IntCmd
	Subscribe(ctx context.Context, channels ...string) *redis.PubSub
}

// Bus carries tiered.Store invalidations over Redis pub/sub (PUBLISH and
// SUBSCRIBE; on Cluster the message reaches every node's subscribers).
// Pub/sub delivers to the processes connected at the time and keeps
// nothing: a process whose connection drops is told (up(false)), empties
// its local tier and bypasses it until it has subscribed again.
//
// Why pub/sub rather than CLIENT TRACKING with BCAST: tracking reports
// keys the server saw written, but hoard's namespace clears change no
// entry key (they bump a generation), and tag invalidations and clears
// must reach every process whatever it holds; one channel carries keys
// and namespaces alike, on standalone, Sentinel, Ring and Cluster, with
// the client the store already has.
type Bus struct {
	client  BusClient
	channel string
	// ping bounds how long a silent subscription goes unchecked: a PING
	// tells a dead connection from a quiet channel.
	ping time.Duration
}

var _ tiered.Bus = (*Bus)(nil)

// NewBus returns a Bus on client, on channel (default DefaultBusChannel).
// Every process sharing a store must use the same channel; processes of
// unrelated caches on one server should use their own.
func NewBus(client BusClient, channel string) (*Bus, error) {
	if client == nil {
		return nil, errors.New("hoardredis: NewBus: nil client")
	}
	if channel == "" {
		channel = DefaultBusChannel
	}
	return &Bus{client: client, channel: channel, ping: time.Second}, nil
}

// Bus returns a Bus on the store's own client (a go-redis
// UniversalClient, as New and NewFromClient with one make it), on
// channel.
func (s *Store) Bus(channel string) (*Bus, error) {
	bc, ok := s.client.(BusClient)
	if !ok {
		return nil, fmt.Errorf("hoardredis: the store's client %T cannot publish: give NewBus a redis.UniversalClient", s.client)
	}
	return NewBus(bc, channel)
}

// Publish sends m to the other processes.
func (b *Bus) Publish(ctx context.Context, m tiered.Message) error {
	return b.client.Publish(ctx, b.channel, encodeMessage(m)).Err()
}

// Run subscribes and delivers messages until ctx ends, resubscribing
// (with a growing pause, up to 2s) whenever the connection is lost.
func (b *Bus) Run(ctx context.Context, deliver func(tiered.Message), up func(bool)) {
	pause := 50 * time.Millisecond
	for ctx.Err() == nil {
		if b.listen(ctx, deliver, up) {
			pause = 50 * time.Millisecond
		}
		up(false)
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// listen runs one subscription until it fails; it reports whether it got
// as far as receiving.
func (b *Bus) listen(ctx context.Context, deliver func(tiered.Message), up func(bool)) bool {
	ps := b.client.Subscribe(ctx, b.channel)
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
		return false
	}
	up(true)
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, b.ping)
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
				if err := ps.Ping(ctx); err == nil {
					continue // a quiet channel; the PONG comes as a message
				}
			}
			return true
		}
		if m, ok := msg.(*redis.Message); ok {
			if tm, ok := decodeMessage(m.Payload); ok {
				deliver(tm)
			} else {
				// An invalidation it cannot read: what it dropped is
				// unknown, so the local tier is emptied.
				up(false)
				up(true)
			}
		}
	}
	return true
}

// encodeMessage writes m as lines: the origin, then "k <key>" and
// "n <namespace>" (hoard's keys and namespaces have no newlines).
func encodeMessage(m tiered.Message) string {
	var b strings.Builder
	b.WriteString(m.Origin)
	for _, k := range m.Keys {
		b.WriteString("\nk ")
		b.WriteString(k)
	}
	for _, ns := range m.Namespaces {
		b.WriteString("\nn ")
		b.WriteString(ns)
	}
	return b.String()
}

// decodeMessage reads encodeMessage's format; a line it does not know
// makes the message invalid.
func decodeMessage(s string) (tiered.Message, bool) {
	lines := strings.Split(s, "\n")
	m := tiered.Message{Origin: lines[0]}
	for _, l := range lines[1:] {
		kind, v, ok := strings.Cut(l, " ")
		switch {
		case !ok:
			return tiered.Message{}, false
		case kind == "k":
			m.Keys = append(m.Keys, v)
		case kind == "n":
			m.Namespaces = append(m.Namespaces, v)
		default:
			return tiered.Message{}, false
		}
	}
	return m, true
}
