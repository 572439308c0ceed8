package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

const mediaColumns = `id, unit_id, title, source, sha256, size, duration_ms, loudness_lufs, original_sha256, original_size, original_format, original_codec,
	tts_text, tts_voice, tts_speed, created_by, created_at`

func scanMedia(sc scanner) (*Media, error) {
	var m Media
	if err := sc.Scan(&m.ID, &m.UnitID, &m.Title, &m.Source, &m.SHA256, &m.Size, &m.DurationMS, &m.LoudnessLUFS, &m.OriginalSHA256,
		&m.OriginalSize, &m.OriginalFormat, &m.OriginalCodec, &m.TTSText, &m.TTSVoice, &m.TTSSpeed, &m.CreatedBy, &m.CreatedAt); err != nil {
		return nil, err
	}
	return &m, nil
}

// InsertMedia stores a media item and fills m.ID and m.CreatedAt.
func (q BroadcastStore) InsertMedia(ctx context.Context, m *Media) error {
	m.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO media (unit_id, title, source, sha256, size, duration_ms, loudness_lufs, original_sha256, original_size,
		original_format, original_codec, tts_text, tts_voice, tts_speed, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.UnitID, m.Title, m.Source, m.SHA256, m.Size, m.DurationMS, m.LoudnessLUFS, m.OriginalSHA256, m.OriginalSize,
		m.OriginalFormat, m.OriginalCodec, m.TTSText, m.TTSVoice, m.TTSSpeed, m.CreatedBy, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert media %q: %w", m.Title, err)
	}
	m.ID = id
	return nil
}

// MediaItem returns a media item by id.
func (q BroadcastStore) MediaItem(ctx context.Context, id int64) (*Media, error) {
	m, err := scanMedia(q.row(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("media %d", id))
	}
	return m, nil
}

// MediaBySHA returns a media item whose normalised audio has this hash.
func (q BroadcastStore) MediaBySHA(ctx context.Context, sha string) (*Media, error) {
	m, err := scanMedia(q.row(ctx, `SELECT `+mediaColumns+` FROM media WHERE sha256 = ? ORDER BY id LIMIT 1`, sha))
	if err != nil {
		return nil, notFound(err, "media "+sha)
	}
	return m, nil
}

// MediaByOriginal returns the latest media item made from this original
// (of any unit): its conversion can be reused.
func (q BroadcastStore) MediaByOriginal(ctx context.Context, originalSHA string) (*Media, error) {
	m, err := scanMedia(q.row(ctx, `SELECT `+mediaColumns+` FROM media WHERE original_sha256 = ? ORDER BY id DESC LIMIT 1`, originalSHA))
	if err != nil {
		return nil, notFound(err, "media from original "+originalSHA)
	}
	return m, nil
}

// MediaLibrary lists the media of a unit, newest first.
func (q BroadcastStore) MediaLibrary(ctx context.Context, unitID int64, limit int) ([]*Media, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := q.query(ctx, fmt.Sprintf(`SELECT `+mediaColumns+` FROM media WHERE unit_id = ? ORDER BY id DESC LIMIT %d`, limit), unitID)
	if err != nil {
		return nil, fmt.Errorf("query media of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []*Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("scan media: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeviceMayFetchMedia reports whether the audio with this hash belongs to
// an item that was scheduled or pushed to the device.
func (q BroadcastStore) DeviceMayFetchMedia(ctx context.Context, deviceID int64, sha string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM device_schedule_items i
		JOIN broadcast_orders o ON o.id = i.order_id JOIN media m ON m.id = o.media_id
		WHERE i.device_id = ? AND m.sha256 = ?`, deviceID, sha).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check media %s for device %d: %w", sha, deviceID, err)
	}
	return n > 0, nil
}

// PendingOrderTargetsDevice reports whether an order playing the media
// whose plays are not written yet (an emergency pushed before its second
// transaction, migration 00043) targets the device: one query, however
// many devices the order targets (each of them asks for the audio as soon
// as the push arrives).
func (q BroadcastStore) PendingOrderTargetsDevice(ctx context.Context, deviceID int64, sha string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM broadcast_orders o JOIN media m ON m.id = o.media_id,
		devices d
		WHERE o.plays_pending AND m.sha256 = ? AND d.id = ? AND d.revoked_at IS NULL AND `+
		strings.ReplaceAll(orderTargetsDevice, "?", "o.id"), sha, deviceID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check the pending orders with media %s for device %d: %w", sha, deviceID, err)
	}
	return n > 0, nil
}

// Types and constants of this aggregate live in internal/model.
type Media = model.Media

// DeleteUnusedMedia removes a media item that no broadcast order uses;
// it reports whether it did (false: unknown or in use).
func (q BroadcastStore) DeleteUnusedMedia(ctx context.Context, id int64) (bool, error) {
	res, err := q.exec(ctx, `DELETE FROM media WHERE id = ? AND NOT EXISTS (SELECT 1 FROM broadcast_orders WHERE media_id = ?)`, id, id)
	if err != nil {
		return false, fmt.Errorf("delete media %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
