-- +goose Up
-- SQLite stores play_order_devices and device_uptime_days WITHOUT ROWID
-- (rows in primary-key order) from this version. PostgreSQL reads those
-- rows through its primary-key indexes already: nothing to change; the
-- version exists so that both engines number their migrations alike.
SELECT 1;

-- +goose Down
SELECT 1;
