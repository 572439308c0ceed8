package schedule

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// etagVersion starts the canonical encoding; change it when the encoding
// changes so that old and new ETags never collide.
const etagVersion = "loa/schedule/playlist/v1\n"

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// etagPrefix encodes the window and the entries; entry(i) returns the i-th
// entry. The per-entry device id is encoded as a marker meaning "the
// playlist's device", which Build guarantees and ComputeETag checks.
func etagPrefix(b []byte, from, to time.Time, n int, entry func(i int) (meta, *planned)) []byte {
	b = append(b, etagVersion...)
	b = binary.AppendVarint(b, from.UnixNano())
	b = binary.AppendVarint(b, to.UnixNano())
	b = binary.AppendUvarint(b, uint64(n))
	for i := range n {
		m, p := entry(i)
		b = appendEntry(b, m, p, "", true)
	}
	return b
}

func appendEntry(b []byte, m meta, p *planned, device string, sameDevice bool) []byte {
	b = appendString(b, m.orderID)
	b = appendString(b, m.contentID)
	if sameDevice {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendString(b, device)
	}
	b = append(b, byte(p.level))
	b = binary.AppendVarint(b, p.requested)
	b = binary.AppendVarint(b, p.start)
	b = binary.AppendVarint(b, p.end)
	var flags byte
	if p.interrupts {
		flags |= 1
	}
	if p.truncated {
		flags |= 2
	}
	b = append(b, flags)
	return appendString(b, p.note)
}

func etagFinish(prefix []byte, device string) string {
	h := sha256.New()
	h.Write(prefix)
	var tail [binary.MaxVarintLen64 + MaxIDLength]byte
	h.Write(appendString(tail[:0], device))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// ComputeETag returns the ETag of p computed from its DeviceID, From, To and
// Entries: a hex SHA-256 of a canonical binary encoding (instants as Unix
// nanoseconds, so the time zone of the values does not matter). Build,
// Emergency and Day set Playlist.ETag with it; a stored playlist can be
// checked against its ETag with it.
func ComputeETag(p Playlist) string {
	b := make([]byte, 0, 64+len(p.Entries)*96)
	b = append(b, etagVersion...)
	b = binary.AppendVarint(b, p.From.UnixNano())
	b = binary.AppendVarint(b, p.To.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(p.Entries)))
	for i := range p.Entries {
		e := &p.Entries[i]
		pl := toPlanned(e, 0)
		b = appendEntry(b, meta{orderID: e.OrderID, contentID: e.ContentID}, &pl, e.DeviceID, e.DeviceID == p.DeviceID)
	}
	return etagFinish(b, p.DeviceID)
}

func toPlanned(e *Entry, ref int32) planned {
	return planned{
		ref: ref, level: e.Level, interrupts: e.Interrupts, truncated: e.Truncated,
		requested: e.Requested.UnixNano(), start: e.Start.UnixNano(), end: e.End.UnixNano(), note: e.Note,
	}
}
