package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const liveColumns = `id, unit_id, order_id, media_id, title, mime, created_by, started_at, ended_at, bytes, chunks, error`

func scanLive(sc interface{ Scan(...any) error }) (*model.LiveSession, error) {
	var l model.LiveSession
	var ended sql.NullTime
	if err := sc.Scan(&l.ID, &l.UnitID, &l.OrderID, &l.MediaID, &l.Title, &l.MIME, &l.CreatedBy, &l.StartedAt, &ended, &l.Bytes, &l.Chunks, &l.Error); err != nil {
		return nil, err
	}
	l.StartedAt = l.StartedAt.UTC()
	if ended.Valid {
		t := ended.Time.UTC()
		l.EndedAt = &t
	}
	return &l, nil
}

// InsertLive records a live session and fills l.ID.
func (q BroadcastStore) InsertLive(ctx context.Context, l *model.LiveSession) error {
	id, err := q.insertID(ctx, `INSERT INTO broadcast_live (unit_id, order_id, media_id, title, mime, created_by, started_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, l.UnitID, l.OrderID, l.MediaID, l.Title, l.MIME, l.CreatedBy, l.StartedAt.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("insert live session %q: %w", l.Title, err)
	}
	l.ID = id
	return nil
}

// LiveSession returns a live session by id.
func (q BroadcastStore) LiveSession(ctx context.Context, id int64) (*model.LiveSession, error) {
	l, err := scanLive(q.row(ctx, `SELECT `+liveColumns+` FROM broadcast_live WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("live session %d", id))
	}
	return l, nil
}

// LiveByOrder returns the live session carried by an order.
func (q BroadcastStore) LiveByOrder(ctx context.Context, orderID int64) (*model.LiveSession, error) {
	l, err := scanLive(q.row(ctx, `SELECT `+liveColumns+` FROM broadcast_live WHERE order_id = ?`, orderID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("live session of order %d", orderID))
	}
	return l, nil
}

// LiveSessions lists the latest live sessions of a unit, newest first.
func (q BroadcastStore) LiveSessions(ctx context.Context, unitID int64, limit int) ([]*model.LiveSession, error) {
	rows, err := q.query(ctx, `SELECT `+liveColumns+` FROM broadcast_live WHERE unit_id = ? ORDER BY id DESC LIMIT ?`, unitID, limit)
	if err != nil {
		return nil, fmt.Errorf("list live sessions of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []*model.LiveSession
	for rows.Next() {
		l, err := scanLive(rows)
		if err != nil {
			return nil, fmt.Errorf("list live sessions of unit %d: %w", unitID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AppendLiveChunk stores chunk seq of a session that is on air; it
// reports false when that chunk was stored already (a retried upload).
func (q BroadcastStore) AppendLiveChunk(ctx context.Context, liveID int64, seq int, data []byte, at time.Time) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO broadcast_live_chunks (live_id, seq, data, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (live_id, seq) DO NOTHING`,
		liveID, seq, data, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return false, fmt.Errorf("store chunk %d of live session %d: %w", seq, liveID, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	if _, err := q.exec(ctx, `UPDATE broadcast_live SET bytes = bytes + ?, chunks = chunks + 1 WHERE id = ?`, len(data), liveID); err != nil {
		return false, fmt.Errorf("count chunk %d of live session %d: %w", seq, liveID, err)
	}
	return true, nil
}

// LiveChunks returns the chunks of a session after seq (in order), at
// most limit of them.
func (q BroadcastStore) LiveChunks(ctx context.Context, liveID int64, after, limit int) ([]model.LiveChunk, error) {
	rows, err := q.query(ctx, `SELECT seq, data FROM broadcast_live_chunks WHERE live_id = ? AND seq > ? ORDER BY seq LIMIT ?`, liveID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read live session %d: %w", liveID, err)
	}
	defer rows.Close()
	var out []model.LiveChunk
	for rows.Next() {
		var c model.LiveChunk
		if err := rows.Scan(&c.Seq, &c.Data); err != nil {
			return nil, fmt.Errorf("read live session %d: %w", liveID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EndLive closes a session: its end, the error that kept the recording
// from being stored (empty if none), and the order's expiry (nothing
// plays it any more). Its chunks stay for a while (PurgeLiveChunks):
// other replicas may still be relaying its end.
func (q BroadcastStore) EndLive(ctx context.Context, l *model.LiveSession, at time.Time, recErr string) error {
	at = at.UTC().Truncate(time.Microsecond)
	if _, err := q.exec(ctx, `UPDATE broadcast_live SET ended_at = ?, error = ? WHERE id = ?`, at, recErr, l.ID); err != nil {
		return fmt.Errorf("end live session %d: %w", l.ID, err)
	}
	if _, err := q.exec(ctx, `UPDATE broadcast_orders SET expires_at = ? WHERE id = ?`, at, l.OrderID); err != nil {
		return fmt.Errorf("end live order %d: %w", l.OrderID, err)
	}
	return nil
}

// SetLiveRecording fills the media item of a live session with its
// stored recording.
func (q BroadcastStore) SetLiveRecording(ctx context.Context, m *Media) error {
	_, err := q.exec(ctx, `UPDATE media SET sha256 = ?, size = ?, duration_ms = ?, loudness_lufs = ?, original_sha256 = ?, original_size = ?,
		original_format = ?, original_codec = ? WHERE id = ? AND sha256 = ''`,
		m.SHA256, m.Size, m.DurationMS, m.LoudnessLUFS, m.OriginalSHA256, m.OriginalSize, m.OriginalFormat, m.OriginalCodec, m.ID)
	if err != nil {
		return fmt.Errorf("store the recording of media %d: %w", m.ID, err)
	}
	return nil
}

// PurgeLiveChunks deletes the chunks of sessions that ended before t
// (their recording is stored; no replica relays them any more).
func (q BroadcastStore) PurgeLiveChunks(ctx context.Context, before time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM broadcast_live_chunks WHERE live_id IN (SELECT id FROM broadcast_live WHERE ended_at < ?)`, before.UTC())
	if err != nil {
		return fmt.Errorf("delete chunks of ended live broadcasts: %w", err)
	}
	return nil
}

// SetLiveError records why the recording of an ended session was not kept.
func (q BroadcastStore) SetLiveError(ctx context.Context, id int64, msg string) error {
	if _, err := q.exec(ctx, `UPDATE broadcast_live SET error = ? WHERE id = ?`, msg, id); err != nil {
		return fmt.Errorf("record the recording error of live session %d: %w", id, err)
	}
	return nil
}
