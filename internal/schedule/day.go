package schedule

import (
	"fmt"
	"time"
)

// Day returns, for each playlist, the entries that start on the local
// calendar day d in loc and the drops requested that day, as a playlist whose
// window is that day (From = midnight, To = next midnight) with its own ETag.
// It serves calendar views; playlists are returned in the same order.
func Day(playlists []Playlist, d Date, loc *time.Location) ([]Playlist, error) {
	if loc == nil {
		return nil, fmt.Errorf("day view: no time zone given; pass the Asia/Ho_Chi_Minh location: %w", ErrInvalidInput)
	}
	if !d.Valid() {
		return nil, fmt.Errorf("day view: %s is not a calendar date: %w", d, ErrInvalidInput)
	}
	from, to := d.In(loc), d.AddDays(1).In(loc)
	out := make([]Playlist, len(playlists))
	for i := range playlists {
		p := &playlists[i]
		q := Playlist{DeviceID: p.DeviceID, From: from, To: to, Entries: []Entry{}}
		for _, e := range p.Entries {
			if !e.Start.Before(from) && e.Start.Before(to) {
				q.Entries = append(q.Entries, e)
			}
		}
		for _, x := range p.Dropped {
			if !x.Requested.Before(from) && x.Requested.Before(to) {
				q.Dropped = append(q.Dropped, x)
			}
		}
		q.ETag = ComputeETag(q)
		out[i] = q
	}
	return out, nil
}
