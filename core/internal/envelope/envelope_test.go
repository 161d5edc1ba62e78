package envelope

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"
)

// envelopeCases are valid entries of both kinds, from empty to large.
func envelopeCases() []struct {
	name string
	e    Entry
} {
	var hdr []byte
	hdr = AppendField(hdr, "Content-Type", "application/json")
	hdr = AppendField(hdr, "Vary", "Accept-Encoding")
	hdr = AppendField(hdr, "X-Empty", "")
	var bigHdr []byte
	for i := 0; i < 200; i++ {
		bigHdr = AppendField(bigHdr, "X-Field", strings.Repeat("v", i))
	}
	binaryBody := make([]byte, 256)
	for i := range binaryBody {
		binaryBody[i] = byte(i)
	}
	return []struct {
		name string
		e    Entry
	}{
		{"value empty body", Entry{Kind: KindValue, Created: 1, Key: []byte("hoard::k")}},
		{"value empty key", Entry{Kind: KindValue, Body: []byte("x")}},
		{"value small", Entry{Kind: KindValue, Created: 1_700_000_000e9, Expires: 1_700_000_060e9, Key: []byte("hoard:ns:user:42"), Body: []byte(`{"id":42}`)}},
		{"value binary body", Entry{Kind: KindValue, Created: 5, Key: []byte("p:n:#0123"), Body: binaryBody}},
		{"value large body", Entry{Kind: KindValue, Created: 7, Expires: 8, Key: []byte("p:n:big"), Body: bytes.Repeat([]byte("0123456789abcdef"), 1<<16)}},
		{"value negative times", Entry{Kind: KindValue, Created: -1, Expires: -2, Key: []byte("k"), Body: []byte("v")}},
		{"http no headers", Entry{Kind: KindHTTP, Created: 1, Key: []byte("hoard:http:GET /"), Status: 204}},
		{"http headers etag body", Entry{Kind: KindHTTP, Created: 10, Expires: 20, Key: []byte("hoard:http:GET /a"), Status: 200, ETag: []byte(`"abc"`), Header: hdr, Body: []byte("hello")}},
		{"http lowest status", Entry{Kind: KindHTTP, Key: []byte("k"), Status: 100}},
		{"http highest status", Entry{Kind: KindHTTP, Key: []byte("k"), Status: 999, Body: []byte("x")}},
		{"http large header block", Entry{Kind: KindHTTP, Key: []byte("k"), Status: 200, Header: bigHdr, Body: bytes.Repeat([]byte{'b'}, 1<<20)}},
		{"http freshness and flags", Entry{Kind: KindHTTP, Created: 3, Expires: 9e18, Key: []byte("k"), Status: 200,
			Flags: FlagMustRevalidate | FlagImmutable, FreshUntil: 60e9, InitialAge: 7, StaleWhileRevalidate: 30, StaleIfError: 1 << 31,
			Tags: AppendField(AppendField(nil, "product:1", ""), "list", ""), Header: hdr, Body: []byte("b")}},
		{"http variant", Entry{Kind: KindHTTP, Key: []byte("k|v"), Status: 200, Vary: AppendField(nil, "Accept-Language", "en"), Body: []byte("en")}},
		{"vary record", Entry{Kind: KindVary, Key: []byte("k"), Vary: AppendField(AppendField(nil, "Accept-Language", ""), "Cookie", ""), Body: []byte("12345678")}},
		{"value stale on arrival", Entry{Kind: KindValue, Created: 7, Expires: 100, FreshUntil: 7, Key: []byte("k")}},
		{"value with freshness and tags", Entry{Kind: KindValue, Created: 1, Expires: 100, FreshUntil: 50, StaleWhileRevalidate: 10, Tags: AppendField(nil, "t", ""), Key: []byte("k"), Body: []byte("v")}},
	}
}

func encodeEntry(e Entry) []byte { return Append(nil, &e) }

// sameEntry compares decoded fields; nil and empty slices are equal.
func sameEntry(a, b *Entry) bool {
	return a.Kind == b.Kind && a.Created == b.Created && a.Expires == b.Expires &&
		a.Flags == b.Flags && a.FreshUntil == b.FreshUntil && a.InitialAge == b.InitialAge &&
		a.StaleWhileRevalidate == b.StaleWhileRevalidate && a.StaleIfError == b.StaleIfError &&
		a.Status == b.Status && bytes.Equal(a.Key, b.Key) && bytes.Equal(a.ETag, b.ETag) &&
		bytes.Equal(a.Header, b.Header) && bytes.Equal(a.Tags, b.Tags) && bytes.Equal(a.Vary, b.Vary) &&
		bytes.Equal(a.Body, b.Body)
}

// reseal recomputes the checksum of an envelope, so a test can reach the
// field checks behind it.
func reseal(b []byte) []byte {
	b = bytes.Clone(b)
	p := len(b) - checksumLen
	binary.LittleEndian.PutUint64(b[p:], xxh3.Hash(b[:p]))
	return b
}

func TestEnvelopeRoundTrip(t *testing.T) {
	for _, tc := range envelopeCases() {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeEntry(tc.e)
			if n := tc.e.EncodedLen(); len(b) > n {
				t.Errorf("encoded %d bytes, EncodedLen promised at most %d", len(b), n)
			}
			// Encoding appends: a prefix in dst is kept.
			if got := Append([]byte("pre"), &tc.e); !bytes.Equal(got, append([]byte("pre"), b...)) {
				t.Error("Append with a non-empty dst differs from a fresh encoding")
			}
			var got Entry
			if err := Decode(b, &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameEntry(&got, &tc.e) {
				t.Fatalf("decoded %+v, want %+v", got, tc.e)
			}
			if !validHeaderBlock(got.Header) {
				t.Error("decoded header block is not valid")
			}
		})
	}
}

func TestEnvelopeDecodeResetsHTTPFields(t *testing.T) {
	var e Entry
	if err := Decode(encodeEntry(Entry{Kind: KindHTTP, Key: []byte("k"), Status: 200, ETag: []byte("e"), Header: AppendField(nil, "A", "b")}), &e); err != nil {
		t.Fatal(err)
	}
	// Reusing the Entry for a value must not leave the HTTP fields behind.
	if err := Decode(encodeEntry(Entry{Kind: KindValue, Key: []byte("k"), Body: []byte("v")}), &e); err != nil {
		t.Fatal(err)
	}
	if e.Status != 0 || e.ETag != nil || e.Header != nil {
		t.Fatalf("stale HTTP fields after decoding a value: %+v", e)
	}
}

func TestEnvelopeDecodeDoesNotCopy(t *testing.T) {
	b := encodeEntry(Entry{Kind: KindValue, Key: []byte("k"), Body: []byte("body")})
	var e Entry
	if err := Decode(b, &e); err != nil {
		t.Fatal(err)
	}
	if &e.Body[0] != &b[len(b)-checksumLen-len("body")] {
		t.Error("body does not alias the input")
	}
	// Capacity is clipped so an append to a field cannot overwrite the input.
	if cap(e.Body) != len(e.Body) || cap(e.Key) != len(e.Key) {
		t.Error("decoded slices have spare capacity into the input")
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = Decode(b, &e) }); allocs != 0 {
		t.Errorf("Decode allocates %v times per call, want 0", allocs)
	}
}

func TestHeaderFields(t *testing.T) {
	want := [][2]string{{"Content-Type", "text/plain"}, {"X-Empty", ""}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}
	var block []byte
	for _, f := range want {
		block = AppendField(block, f[0], f[1])
	}
	var got [][2]string
	Fields(block, func(name, value []byte) { got = append(got, [2]string{string(name), string(value)}) })
	if len(got) != len(want) {
		t.Fatalf("got %d fields, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
	if !validHeaderBlock(nil) {
		t.Error("an empty header block is valid")
	}
	if validHeaderBlock(block[:len(block)-1]) {
		t.Error("a truncated header block is valid")
	}
}

func wantCorrupt(t *testing.T, b []byte) {
	t.Helper()
	var e Entry
	err := Decode(b, &e)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Decode(%d bytes) = %v, want ErrCorrupt", len(b), err)
	}
}

func TestEnvelopeRejectsGarbage(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"text", []byte("hello, world")},
		{"json", []byte(`{"id":42,"name":"a value stored by something else"}`)},
		{"zeros", make([]byte, 100)},
		{"ones", bytes.Repeat([]byte{0xff}, 100)},
		{"magic only", []byte{envelopeMagic, envelopeVersion, byte(KindValue)}},
		{"minimum length of zeros after header", append([]byte{envelopeMagic, envelopeVersion, byte(KindValue)}, make([]byte, 24)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantCorrupt(t, tc.b) })
	}
}

// TestEnvelopeRejectsTruncated cuts every valid envelope at every length.
func TestEnvelopeRejectsTruncated(t *testing.T) {
	for _, tc := range envelopeCases() {
		if len(tc.e.Body) > 1<<12 || len(tc.e.Header) > 1<<12 {
			continue // quadratic: the small cases cover every field boundary
		}
		t.Run(tc.name, func(t *testing.T) {
			b := encodeEntry(tc.e)
			for n := 0; n < len(b); n++ {
				wantCorrupt(t, b[:n:n])
			}
			// A longer slice is trailing junk after the checksum.
			wantCorrupt(t, append(bytes.Clone(b), 0))
		})
	}
}

// TestEnvelopeRejectsBitFlips flips every bit of small envelopes.
func TestEnvelopeRejectsBitFlips(t *testing.T) {
	for _, tc := range envelopeCases() {
		if len(tc.e.Body) > 1<<12 || len(tc.e.Header) > 1<<12 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			b := encodeEntry(tc.e)
			for i := range b {
				for bit := 0; bit < 8; bit++ {
					c := bytes.Clone(b)
					c[i] ^= 1 << bit
					wantCorrupt(t, c)
				}
			}
		})
	}
}

// TestEnvelopeRejectsBadFields builds envelopes with a valid checksum whose
// fields are wrong, so each check behind the checksum is exercised.
func TestEnvelopeRejectsBadFields(t *testing.T) {
	value := encodeEntry(Entry{Kind: KindValue, Created: 1, Key: []byte("k"), Body: []byte("v")})
	http := encodeEntry(Entry{Kind: KindHTTP, Created: 1, Key: []byte("k"), Status: 200, Header: AppendField(nil, "A", "b"), Body: []byte("v")})
	set := func(b []byte, i int, v byte) []byte { b = bytes.Clone(b); b[i] = v; return reseal(b) }
	// Offsets in http after the fixed header: key len, 'k', flags,
	// lifetime, stale-while-revalidate, stale-if-error, tag block len,
	// status (2 bytes as a uvarint: 200 = 0xc8 0x01), etag len, header
	// len, header...
	statusAt := fixedHeaderLen + 7
	withStatus := func(status uint64) []byte {
		var b []byte
		b = append(b, http[:statusAt]...)
		b = binary.AppendUvarint(b, status)
		b = append(b, http[statusAt+2:]...)
		return reseal(b)
	}
	headerLenAt := statusAt + 3
	tests := []struct {
		name string
		b    []byte
	}{
		{"wrong magic", set(value, 0, 'H')},
		{"future version", set(value, 1, envelopeVersion+1)},
		{"version zero", set(value, 1, 0)},
		{"kind zero", set(value, 2, 0)},
		{"unknown kind", set(value, 2, 4)},
		{"value read as http", set(value, 2, byte(KindHTTP))},
		{"http read as value", set(http, 2, byte(KindValue))},
		{"key length past the end", set(value, fixedHeaderLen, 0x7f)},
		{"overlong uvarint", reseal(append(append(append([]byte{}, value[:fixedHeaderLen]...), bytes.Repeat([]byte{0xff}, 11)...), make([]byte, checksumLen)...))},
		{"status 0", withStatus(0)},
		{"status 99", withStatus(99)},
		{"status 1000", withStatus(1000)},
		{"status huge", withStatus(1 << 63)},
		{"header block length past the end", set(http, headerLenAt, 0x7f)},
		{"header field past its block", set(http, headerLenAt+1, 5)},
		{"trailing byte before checksum", reseal(append(append(bytes.Clone(value[:len(value)-checksumLen]), 0), make([]byte, checksumLen)...))},
		{"tag block past its length", set(value, fixedHeaderLen+6, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantCorrupt(t, tc.b) })
	}
	// The offsets above must point where the comments say, or the cases
	// would test nothing: check the untouched envelopes decode.
	var e Entry
	if err := Decode(http, &e); err != nil || e.Status != 200 || string(e.Header) != string(AppendField(nil, "A", "b")) {
		t.Fatalf("base HTTP envelope: %v %+v", err, e)
	}
	if http[statusAt] != 0xc8 || http[statusAt+1] != 0x01 || int(http[headerLenAt]) != len(e.Header) {
		t.Fatal("field offsets in this test are stale")
	}
}

func FuzzDecodeEntry(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzDecodeEntry.
	for _, tc := range envelopeCases() {
		if len(tc.e.Body) <= 1<<10 && len(tc.e.Header) <= 1<<10 {
			f.Add(encodeEntry(tc.e))
		}
	}
	f.Add([]byte("not an Entry"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, b)
		// Random bytes almost never carry a valid checksum; resealed, they
		// reach the field parser.
		if len(b) >= fixedHeaderLen+checksumLen {
			checkDecode(t, reseal(b))
		}
	})
}

// checkDecode decodes b and, if it is valid, checks that re-encoding gives
// an envelope with the same fields, and that encoding is then stable.
func checkDecode(t *testing.T, b []byte) {
	var e Entry
	if err := Decode(b, &e); err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Decode error %v does not wrap ErrCorrupt", err)
		}
		return
	}
	if e.Kind == KindHTTP && !validHeaderBlock(e.Header) {
		t.Fatal("decoded an HTTP Entry with an invalid header block")
	}
	again := Append(nil, &e)
	var e2 Entry
	if err := Decode(again, &e2); err != nil {
		t.Fatalf("re-encoded Entry does not decode: %v", err)
	}
	if !sameEntry(&e, &e2) {
		t.Fatalf("re-encoded Entry decodes to %+v, want %+v", e2, e)
	}
	if third := Append(nil, &e2); !bytes.Equal(third, again) {
		t.Fatal("encoding a decoded Entry is not stable")
	}
}

func BenchmarkDecodeEntry(b *testing.B) {
	var hdr []byte
	hdr = AppendField(hdr, "Content-Type", "application/json")
	hdr = AppendField(hdr, "Cache-Control", "max-age=60")
	hdr = AppendField(hdr, "Vary", "Accept-Encoding")
	buf := encodeEntry(Entry{Kind: KindHTTP, Created: 1, Expires: 2, Key: []byte("hoard:http:GET /api/users?page=1"),
		Status: 200, ETag: []byte(`"v1"`), Header: hdr, Body: bytes.Repeat([]byte("x"), 1<<10)})
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var e Entry
	for b.Loop() {
		if err := Decode(buf, &e); err != nil {
			b.Fatal(err)
		}
	}
}
