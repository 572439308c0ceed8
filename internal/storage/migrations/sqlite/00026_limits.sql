-- +goose Up
-- Quiet hours and loudness limits, per unit (device_id = 0, inherited by
-- the units below that set none) and per loudspeaker cluster (device_id
-- of the device, overriding its unit's). Times are seconds after local
-- midnight; quiet_start = quiet_end = -1 means no quiet hours; a window
-- may cross midnight (21:00–05:00). volume_caps is a JSON list of
-- {"from": s, "to": s, "max": percent}. max_daily_seconds = 0: no limit.

CREATE TABLE broadcast_limits (
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    device_id         INTEGER NOT NULL DEFAULT 0,
    quiet_start       INTEGER NOT NULL DEFAULT -1,
    quiet_end         INTEGER NOT NULL DEFAULT -1,
    max_daily_seconds INTEGER NOT NULL DEFAULT 0,
    volume_caps       TEXT NOT NULL DEFAULT '[]',
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, device_id)
);

-- +goose Down
DROP TABLE broadcast_limits;
