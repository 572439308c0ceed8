-- +goose Up
-- The dashboards' per-device rollups are read by their primary key: a
-- province's coverage reads every (order, device) row of the period's
-- orders, its device uptime each device's days. In a rowid table each row
-- found through the primary-key index costs a second look-up in the
-- table; stored WITHOUT ROWID the rows sit in the key's own order (same
-- columns, same key, same upserts).
CREATE TABLE play_order_devices_clustered (
    order_id  INTEGER NOT NULL,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    plays     INTEGER NOT NULL DEFAULT 0,
    late      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, device_id)
) WITHOUT ROWID;
INSERT INTO play_order_devices_clustered (order_id, device_id, plays, late)
SELECT order_id, device_id, plays, late FROM play_order_devices;
DROP TABLE play_order_devices;
ALTER TABLE play_order_devices_clustered RENAME TO play_order_devices;

CREATE TABLE device_uptime_days_clustered (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    day       TEXT NOT NULL,
    seconds   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, day)
) WITHOUT ROWID;
INSERT INTO device_uptime_days_clustered (device_id, day, seconds)
SELECT device_id, day, seconds FROM device_uptime_days;
DROP TABLE device_uptime_days;
ALTER TABLE device_uptime_days_clustered RENAME TO device_uptime_days;

-- +goose Down
CREATE TABLE play_order_devices_rowid (
    order_id  INTEGER NOT NULL,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    plays     INTEGER NOT NULL DEFAULT 0,
    late      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, device_id)
);
INSERT INTO play_order_devices_rowid (order_id, device_id, plays, late)
SELECT order_id, device_id, plays, late FROM play_order_devices;
DROP TABLE play_order_devices;
ALTER TABLE play_order_devices_rowid RENAME TO play_order_devices;

CREATE TABLE device_uptime_days_rowid (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    day       TEXT NOT NULL,
    seconds   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, day)
);
INSERT INTO device_uptime_days_rowid (device_id, day, seconds)
SELECT device_id, day, seconds FROM device_uptime_days;
DROP TABLE device_uptime_days;
ALTER TABLE device_uptime_days_rowid RENAME TO device_uptime_days;
