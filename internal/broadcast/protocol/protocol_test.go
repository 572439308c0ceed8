package protocol

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestIsIDMatchesPattern: the byte loop accepts exactly what the
// documented pattern ^[A-Za-z0-9._:\-]+$ accepts.
func TestIsIDMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._:\-]+$`)
	const alphabet = "aZz09._:-/ \n\t+é\x00A~"
	cases := []string{"", "ev-1", "o12-1623020400", "a\n", "\na", "ệ", "550e8400-e29b-41d4-a716-446655440000"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := isID(c), re.MatchString(c); got != want {
			t.Fatalf("isID(%q) = %v, the pattern says %v", c, got, want)
		}
	}
}
