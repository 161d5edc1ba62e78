package memo

import (
	"bytes"
	"sync"
	"testing"
	"unsafe"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

func httpEntry(fields int) []byte {
	e := envelope.Entry{Kind: envelope.KindHTTP, Key: []byte("p:ns:id"), Status: 200, ETag: []byte(`"x"`), Body: []byte("body")}
	for i := range fields {
		e.Header = envelope.AppendField(e.Header, "X-Field", string(rune('a'+i)))
	}
	return envelope.Append(nil, &e)
}

// TestMemoKeepLoad: a memo's content is trusted for the exact bytes it was
// made from, and replaced by the next Keep.
func TestMemoKeepLoad(t *testing.T) {
	var m Memo
	raw := httpEntry(1)
	if m.Live() != nil || m.Load(raw) != nil || m.Dropped() {
		t.Fatal("a zero memo is not empty")
	}
	var e envelope.Entry
	if err := envelope.Decode(raw, &e); err != nil {
		t.Fatal(err)
	}
	d := m.Keep(raw, &e)
	if d == nil || d.Memo != &m || d.Entry.Status != 200 || !bytes.Equal(d.Entry.Body, []byte("body")) {
		t.Fatalf("Keep returned %+v", d)
	}
	if got := m.Load(raw); got != d {
		t.Errorf("Load(raw) = %p, want %p", got, d)
	}
	if got := m.Live(); got != d {
		t.Errorf("Live() = %p, want %p", got, d)
	}
	for name, other := range map[string][]byte{
		"equal bytes elsewhere": bytes.Clone(raw),
		"a prefix":              raw[:len(raw)-1],
		"a suffix":              raw[1:],
		"nil":                   nil,
	} {
		if m.Load(other) != nil {
			t.Errorf("Load(%s) trusted the memo", name)
		}
	}
	raw2 := httpEntry(2)
	d2 := m.Keep(raw2, &e)
	if m.Load(raw) != nil || m.Load(raw2) != d2 || m.Live() != d2 {
		t.Error("Keep of a new value did not replace the old one")
	}
}

// TestDroppedMemoStaysDropped: a reader that fetched a value just before it
// left must not revive its memo.
func TestDroppedMemoStaysDropped(t *testing.T) {
	var m Memo
	raw := []byte("raw")
	e := envelope.Entry{Kind: envelope.KindHTTP}
	m.Keep(raw, &e)
	m.Drop()
	if !m.Dropped() || m.Live() != nil || m.Load(raw) != nil {
		t.Fatal("a dropped memo is still live")
	}
	if d := m.Keep(raw, &e); d == nil || d.Entry.Kind != envelope.KindHTTP {
		t.Fatal("Keep on a dropped memo returned nothing")
	}
	if !m.Dropped() || m.Live() != nil || m.Load(raw) != nil {
		t.Fatal("a dropped memo came back to life")
	}
}

// TestDropRacesKeep: once Drop has returned, no Keep running beside it
// leaves the memo live.
func TestDropRacesKeep(t *testing.T) {
	raw := []byte("raw")
	e := envelope.Entry{Kind: envelope.KindHTTP}
	for range 200 {
		var m Memo
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 20 {
					m.Keep(raw, &e)
				}
			})
		}
		m.Drop()
		wg.Wait()
		if m.Live() != nil {
			t.Fatal("a Keep revived a dropped memo")
		}
	}
}

func TestMemoSize(t *testing.T) {
	base := int(unsafe.Sizeof(Decoded{})) + PlanOverhead
	for _, n := range []int{0, 2, 20} {
		if got, want := Size(httpEntry(n)), base+(n+PlanOwnFields)*PlanFieldSize; got != want {
			t.Errorf("Size of an HTTP entry with %d fields = %d, want %d", n, got, want)
		}
	}
	value := envelope.Append(nil, &envelope.Entry{Kind: envelope.KindValue, Key: []byte("p:ns:id"), Body: []byte("v")})
	valid := httpEntry(2)
	badSum := bytes.Clone(valid)
	badSum[len(badSum)-1] ^= 1
	if got := Size(badSum); got != Size(valid) {
		t.Errorf("Size with a bad checksum = %d, want %d: sizing trusts nothing, so checks nothing", got, Size(valid))
	}
	for name, b := range map[string][]byte{
		"value entry": value,
		"empty":       nil,
		"foreign":     []byte("hello, world, not an entry"),
		"truncated":   valid[:len(valid)-1],
	} {
		if n := Size(b); n != 0 {
			t.Errorf("Size(%s) = %d, want 0", name, n)
		}
	}
}
