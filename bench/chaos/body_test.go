package chaos_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hoard-go/hoard/bench/chaos"
)

func ExampleBody() {
	fmt.Println(chaos.Path("42", "redis/kill"))
	fmt.Printf("%q\n", chaos.Body("42", "redis/kill", 0))
	fmt.Printf("%q\n", chaos.Body("7", "x", 30))
	// Output:
	// /item/42?s=redis%2Fkill
	// "item 42 redis/kill v1\n"
	// "item 7 x v1\nitem 7 x v1\nitem 7"
}

func TestBody(t *testing.T) {
	tests := []struct {
		name      string
		id, sc    string
		size      int
		wantLen   int
		wantStart string
	}{
		{"smaller than the line", "1", "s", 3, len("item 1 s v1\n"), "item 1 s v1\n"},
		{"exact", "1", "s", 12, 12, "item 1 s v1\n"},
		{"padded", "1", "s", 4096, 4096, "item 1 s v1\nitem 1 s v1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := chaos.Body(tt.id, tt.sc, tt.size)
			if len(b) != tt.wantLen || !strings.HasPrefix(string(b), tt.wantStart) {
				t.Errorf("Body(%q, %q, %d) = %d bytes %.40q", tt.id, tt.sc, tt.size, len(b), b)
			}
			if again := chaos.Body(tt.id, tt.sc, tt.size); string(again) != string(b) {
				t.Error("Body is not a pure function of its arguments")
			}
		})
	}
	if string(chaos.Body("1", "s", 64)) == string(chaos.Body("2", "s", 64)) ||
		string(chaos.Body("1", "s", 64)) == string(chaos.Body("1", "t", 64)) {
		t.Error("different URLs share a body: a mixed-up entry would go unnoticed")
	}
}
