package storage

import "time"

// sqliteTimeLayout is how the SQLite driver writes a time.Time parameter
// (the DSN's _time_format=sqlite, store.go).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteTimeText is the text the SQLite driver stores for
// t.UTC().Truncate(time.Microsecond), written without time.Format's
// layout interpretation: the play-log inserts bind three times per event,
// and formatting them was 4 % of the ingestion's CPU time. Columns written
// this way read back as the driver's own times do.
func sqliteTimeText(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	year, month, day := t.Date()
	if year < 1000 || year > 9999 {
		return t.Format(sqliteTimeLayout)
	}
	hour, minute, sec := t.Clock()
	var buf [32]byte
	b := buf[:0]
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, ' ')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		digits := 6
		for us%10 == 0 {
			us /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, us, digits)
	}
	b = append(b, "+00:00"...)
	return string(b)
}

// appendDigits appends v (non-negative) as exactly n decimal digits.
func appendDigits(b []byte, v, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= len(b)-n; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}
