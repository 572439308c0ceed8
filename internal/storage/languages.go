package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// UnitLanguages returns the languages a unit listed (in order of
// preference); ok is false when it listed none.
func (q SpeechStore) UnitLanguages(ctx context.Context, unitID int64) ([]string, bool, error) {
	var s string
	err := q.row(ctx, `SELECT languages FROM unit_languages WHERE unit_id = ?`, unitID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the languages of unit %d: %w", unitID, err)
	}
	return strings.Split(s, ","), true, nil
}

// SaveUnitLanguages stores a unit's languages.
func (q SpeechStore) SaveUnitLanguages(ctx context.Context, unitID int64, langs []string, by string, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO unit_languages (unit_id, languages, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (unit_id) DO UPDATE SET languages = excluded.languages, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		unitID, strings.Join(langs, ","), by, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save the languages of unit %d: %w", unitID, err)
	}
	return nil
}

// InsertOrderVersion adds a language version to an order.
func (q SpeechStore) InsertOrderVersion(ctx context.Context, orderID int64, language string, mediaID int64) error {
	if _, err := q.exec(ctx, `INSERT INTO broadcast_order_versions (order_id, language, media_id) VALUES (?, ?, ?)`, orderID, language, mediaID); err != nil {
		return fmt.Errorf("add the %s version of order %d: %w", language, orderID, err)
	}
	return nil
}

// OrderVersions returns the language versions of orders, by order id.
func (q SpeechStore) OrderVersions(ctx context.Context, orderIDs []int64) (map[int64][]model.OrderVersion, error) {
	out := map[int64][]model.OrderVersion{}
	for len(orderIDs) > 0 {
		chunk := orderIDs[:min(len(orderIDs), 500)]
		orderIDs = orderIDs[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT v.order_id, v.language, m.id, m.title, m.sha256, m.size, m.duration_ms FROM broadcast_order_versions v
			JOIN media m ON m.id = v.media_id WHERE v.order_id IN (`+bcPlaceholders(len(chunk))+`) ORDER BY v.order_id, v.language`, args...)
		if err != nil {
			return nil, fmt.Errorf("list order versions: %w", err)
		}
		for rows.Next() {
			var v model.OrderVersion
			var oid int64
			if err := rows.Scan(&oid, &v.Language, &v.MediaID, &v.MediaTitle, &v.MediaSHA256, &v.MediaSize, &v.MediaDurationMS); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read order versions: %w", err)
			}
			out[oid] = append(out[oid], v)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeviceMayFetchVersion reports whether an audio file is a language
// version of an order in the device's schedule.
func (q SpeechStore) DeviceMayFetchVersion(ctx context.Context, deviceID int64, sha string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM device_schedule_items i JOIN broadcast_order_versions v ON v.order_id = i.order_id
		JOIN media m ON m.id = v.media_id WHERE i.device_id = ? AND m.sha256 = ?`, deviceID, sha).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check media %s for device %d: %w", sha, deviceID, err)
	}
	return n > 0, nil
}

// SaveOrderVersion adds or replaces an order's version in a language.
func (q SpeechStore) SaveOrderVersion(ctx context.Context, orderID int64, language string, mediaID int64) error {
	if _, err := q.exec(ctx, `INSERT INTO broadcast_order_versions (order_id, language, media_id) VALUES (?, ?, ?)
		ON CONFLICT (order_id, language) DO UPDATE SET media_id = excluded.media_id`, orderID, language, mediaID); err != nil {
		return fmt.Errorf("save the %s version of order %d: %w", language, orderID, err)
	}
	return nil
}

// DeleteOrderVersion removes an order's version in a language; it
// reports whether there was one.
func (q SpeechStore) DeleteOrderVersion(ctx context.Context, orderID int64, language string) (bool, error) {
	res, err := q.exec(ctx, `DELETE FROM broadcast_order_versions WHERE order_id = ? AND language = ?`, orderID, language)
	if err != nil {
		return false, fmt.Errorf("remove the %s version of order %d: %w", language, orderID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("remove the %s version of order %d: %w", language, orderID, err)
	}
	return n > 0, nil
}
