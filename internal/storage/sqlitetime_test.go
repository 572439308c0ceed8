package storage

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSQLiteTimeText: the hand-written format is the driver's own
// (time.Format with its layout) for every kind of fraction, zone and year.
func TestSQLiteTimeText(t *testing.T) {
	vn := time.FixedZone("ICT", 7*3600)
	cases := []time.Time{
		time.Date(2021, 6, 7, 6, 0, 0, 0, vn),
		time.Date(2021, 6, 7, 23, 59, 59, 999999999, vn),
		time.Date(2026, 12, 31, 23, 0, 0, 100000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999, time.UTC),
		time.Date(1000, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(999, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		cases = append(cases, time.Unix(r.Int64N(4102444800), r.Int64N(1e9)).In(vn))
	}
	for _, c := range cases {
		want := c.UTC().Truncate(time.Microsecond).Format(sqliteTimeLayout)
		if got := sqliteTimeText(c); got != want {
			t.Fatalf("sqliteTimeText(%v) = %q, want %q", c, got, want)
		}
	}
}
