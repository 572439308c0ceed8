package model

import "time"

// LiveSession is a live broadcast: an operator speaking from a browser to
// a set of clusters. It is carried by a broadcast order at the "live"
// level (OrderID) whose media item (MediaID) receives the recording when
// the session ends.
type LiveSession struct {
	ID        int64      `json:"id"`
	UnitID    int64      `json:"unit_id"`
	OrderID   int64      `json:"order_id"`
	MediaID   int64      `json:"media_id"`
	Title     string     `json:"title"`
	MIME      string     `json:"mime"`
	CreatedBy string     `json:"created_by"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Bytes     int64      `json:"bytes"`
	Chunks    int        `json:"chunks"`
	// Error says why the recording could not be kept (empty when it was).
	Error string `json:"error,omitempty"`
}

// LiveChunk is one piece of a live stream, in upload order.
type LiveChunk struct {
	Seq  int
	Data []byte
}
