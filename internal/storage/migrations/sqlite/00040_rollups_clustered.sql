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

-- A device's schedule items are read by the same kind of key: every
-- uploaded play is checked against (device, item), and a schedule is
-- rebuilt from one device's items.
CREATE TABLE device_schedule_items_clustered (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    item_id   TEXT NOT NULL,
    order_id  INTEGER NOT NULL REFERENCES broadcast_orders(id),
    level     TEXT NOT NULL,
    start_at  TIMESTAMP NOT NULL,
    end_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (device_id, item_id)
) WITHOUT ROWID;
INSERT INTO device_schedule_items_clustered (device_id, item_id, order_id, level, start_at, end_at)
SELECT device_id, item_id, order_id, level, start_at, end_at FROM device_schedule_items;
DROP TABLE device_schedule_items;
ALTER TABLE device_schedule_items_clustered RENAME TO device_schedule_items;
CREATE INDEX device_schedule_items_order ON device_schedule_items(order_id);
CREATE INDEX device_schedule_items_start ON device_schedule_items(start_at);

-- +goose Down
CREATE TABLE device_schedule_items_rowid (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    item_id   TEXT NOT NULL,
    order_id  INTEGER NOT NULL REFERENCES broadcast_orders(id),
    level     TEXT NOT NULL,
    start_at  TIMESTAMP NOT NULL,
    end_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (device_id, item_id)
);
INSERT INTO device_schedule_items_rowid (device_id, item_id, order_id, level, start_at, end_at)
SELECT device_id, item_id, order_id, level, start_at, end_at FROM device_schedule_items;
DROP TABLE device_schedule_items;
ALTER TABLE device_schedule_items_rowid RENAME TO device_schedule_items;
CREATE INDEX device_schedule_items_order ON device_schedule_items(order_id);
CREATE INDEX device_schedule_items_start ON device_schedule_items(start_at);
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
