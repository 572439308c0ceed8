-- +goose Up
-- Dashboards' rollups, kept in the transaction that stores play events and
-- device contacts, so that coverage, planned-vs-played and uptime never
-- scan play_logs per request.
--
-- Completed plays per device, order and local day (Asia/Ho_Chi_Minh),
-- with how many of them started more than 5 minutes after the slot they
-- were scheduled for (late). unit_id is the unit owning the device.
CREATE TABLE play_device_days (
    device_id BIGINT NOT NULL REFERENCES devices(id),
    order_id  BIGINT NOT NULL,
    day       TEXT NOT NULL,
    unit_id   BIGINT NOT NULL,
    plays     BIGINT NOT NULL DEFAULT 0,
    late      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, order_id, day)
);

-- Completed plays per order and device over the order's whole life: the
-- coverage figure (did each targeted loudspeaker cluster play the item
-- the required number of times) reads one row per order and device.
CREATE TABLE play_order_devices (
    order_id  BIGINT NOT NULL,
    device_id BIGINT NOT NULL REFERENCES devices(id),
    plays     BIGINT NOT NULL DEFAULT 0,
    late      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, device_id)
);

-- Seconds a device was in contact per local day: two contacts at most
-- 3 minutes apart count the time between them (device uptime).
CREATE TABLE device_uptime_days (
    device_id BIGINT NOT NULL REFERENCES devices(id),
    day       TEXT NOT NULL,
    seconds   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, day)
);

-- Older plays: counted again from play_logs (late plays are not known
-- for them and count on time).
INSERT INTO play_device_days (device_id, order_id, day, unit_id, plays, late)
SELECT p.device_id, p.order_id, to_char(p.started_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), MAX(d.unit_id), COUNT(*), 0
FROM play_logs p JOIN devices d ON d.id = p.device_id
WHERE p.status = 'completed'
GROUP BY p.device_id, p.order_id, to_char(p.started_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD');
INSERT INTO play_order_devices (order_id, device_id, plays, late)
SELECT order_id, device_id, SUM(plays), SUM(late) FROM play_device_days GROUP BY order_id, device_id;

-- +goose Down
DROP TABLE device_uptime_days;
DROP TABLE play_order_devices;
DROP TABLE play_device_days;
