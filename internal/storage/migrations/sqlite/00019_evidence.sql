-- +goose Up
-- Broadcast evidence rolled up as play events arrive: one row per unit
-- that owns the device, local day (Asia/Ho_Chi_Minh) and order, with the
-- completed plays (one per device and scheduled occurrence) and the
-- seconds aired. Dashboards, reports and the directives' cascade read
-- these rows instead of scanning play_logs. directive_id copies the
-- order's source_directive_id (0 for local orders).
CREATE TABLE play_rollups (
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    day          TEXT NOT NULL,
    order_id     INTEGER NOT NULL,
    directive_id INTEGER NOT NULL DEFAULT 0,
    plays        INTEGER NOT NULL DEFAULT 0,
    seconds      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day, order_id)
);
CREATE INDEX play_rollups_day ON play_rollups(day, unit_id);
CREATE INDEX play_rollups_directive ON play_rollups(directive_id, unit_id) WHERE directive_id <> 0;
CREATE INDEX play_rollups_order ON play_rollups(order_id);

INSERT INTO play_rollups (unit_id, day, order_id, directive_id, plays, seconds)
SELECT d.unit_id, date(p.started_at, '+7 hours'), p.order_id, COALESCE(MAX(o.source_directive_id), 0), COUNT(*),
       CAST(SUM(MAX(0, (julianday(p.ended_at) - julianday(p.started_at)) * 86400)) AS INTEGER)
FROM play_logs p JOIN devices d ON d.id = p.device_id LEFT JOIN broadcast_orders o ON o.id = p.order_id
WHERE p.status = 'completed'
GROUP BY d.unit_id, date(p.started_at, '+7 hours'), p.order_id;

-- The same per unit and day, all orders together: what the dashboards
-- sum over a subtree and a period (a row per device-owning unit and day).
CREATE TABLE play_day_totals (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day     TEXT NOT NULL,
    plays   INTEGER NOT NULL DEFAULT 0,
    seconds INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
);
CREATE INDEX play_day_totals_day ON play_day_totals(day, unit_id);
INSERT INTO play_day_totals (unit_id, day, plays, seconds)
SELECT unit_id, day, SUM(plays), SUM(seconds) FROM play_rollups GROUP BY unit_id, day;

-- When an order was made and a device enrolled, on the service's clock
-- (created_at is the database's own time): a slot before either was never
-- expected to play and is not a silence. Older rows take created_at.
ALTER TABLE broadcast_orders ADD COLUMN made_at TIMESTAMP;
ALTER TABLE devices ADD COLUMN enrolled_at TIMESTAMP;
UPDATE broadcast_orders SET made_at = created_at;
UPDATE devices SET enrolled_at = created_at;

-- Reminders sent by hand from the tracking matrix (Nhắc việc, Đôn đốc).
CREATE TABLE delivery_reminders (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    channels    TEXT NOT NULL,
    sent_by     INTEGER REFERENCES users(id),
    sent_at     TIMESTAMP NOT NULL
);
CREATE INDEX delivery_reminders_delivery ON delivery_reminders(delivery_id, sent_at);

-- +goose Down
ALTER TABLE devices DROP COLUMN enrolled_at;
ALTER TABLE broadcast_orders DROP COLUMN made_at;
DROP TABLE delivery_reminders;
DROP TABLE play_day_totals;
DROP TABLE play_rollups;
