-- +goose Up
-- Broadcast: devices (loudspeaker clusters, bulletin boards), the media
-- library, broadcast orders with their targets, the schedules served to
-- devices, play evidence and remote commands.

CREATE TABLE devices (
    id                INTEGER PRIMARY KEY,
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL DEFAULT 'loudspeaker',
    hardware_id       TEXT NOT NULL DEFAULT '',
    credential_hash   TEXT NOT NULL UNIQUE,
    credential_prefix TEXT NOT NULL,
    enrolment_key_id  INTEGER REFERENCES enrolment_keys(id),
    schedule_version  BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    revoked_at        TIMESTAMP,
    last_seen_at      TIMESTAMP,
    last_heartbeat_at TIMESTAMP,
    status            TEXT NOT NULL DEFAULT '',
    volume            INTEGER NOT NULL DEFAULT -1,
    signal            INTEGER NOT NULL DEFAULT 0,
    firmware          TEXT NOT NULL DEFAULT '',
    last_played_item  TEXT NOT NULL DEFAULT '',
    last_played_at    TIMESTAMP
);
CREATE INDEX devices_unit ON devices(unit_id);

CREATE TABLE media (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    title           TEXT NOT NULL,
    source          TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    loudness_lufs   REAL NOT NULL DEFAULT 0,
    original_sha256 TEXT NOT NULL,
    original_size   BIGINT NOT NULL,
    original_format TEXT NOT NULL DEFAULT '',
    original_codec  TEXT NOT NULL DEFAULT '',
    tts_text        TEXT NOT NULL DEFAULT '',
    tts_voice       TEXT NOT NULL DEFAULT '',
    tts_speed       REAL NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX media_unit ON media(unit_id);
CREATE INDEX media_sha ON media(sha256);

CREATE TABLE broadcast_orders (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    title          TEXT NOT NULL,
    media_id       INTEGER NOT NULL REFERENCES media(id),
    level          TEXT NOT NULL,
    interrupts     BOOLEAN NOT NULL DEFAULT 0,
    start_date     TEXT NOT NULL,
    end_date       TEXT NOT NULL,
    expires_at     TIMESTAMP,
    slots          TEXT NOT NULL DEFAULT '[]',
    weekdays       TEXT NOT NULL DEFAULT '',
    unit_order     INTEGER NOT NULL DEFAULT 0,
    issued_at      TIMESTAMP,
    repeats        INTEGER NOT NULL DEFAULT 0,
    repeat_every_s INTEGER NOT NULL DEFAULT 0,
    source         TEXT NOT NULL DEFAULT 'local',
    source_ref     TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    cancelled_at   TIMESTAMP
);
CREATE INDEX broadcast_orders_unit ON broadcast_orders(unit_id, id);
CREATE INDEX broadcast_orders_end ON broadcast_orders(end_date);

CREATE TABLE broadcast_order_targets (
    order_id INTEGER NOT NULL REFERENCES broadcast_orders(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    ref_id   BIGINT NOT NULL,
    PRIMARY KEY (order_id, kind, ref_id)
);
CREATE INDEX broadcast_order_targets_ref ON broadcast_order_targets(kind, ref_id);

CREATE TABLE device_schedules (
    device_id INTEGER PRIMARY KEY REFERENCES devices(id),
    version   BIGINT NOT NULL,
    day       TEXT NOT NULL,
    etag      TEXT NOT NULL,
    body      TEXT NOT NULL,
    built_at  TIMESTAMP NOT NULL
);

CREATE TABLE device_schedule_items (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    item_id   TEXT NOT NULL,
    order_id  INTEGER NOT NULL REFERENCES broadcast_orders(id),
    level     TEXT NOT NULL,
    start_at  TIMESTAMP NOT NULL,
    end_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (device_id, item_id)
);
CREATE INDEX device_schedule_items_order ON device_schedule_items(order_id);
CREATE INDEX device_schedule_items_start ON device_schedule_items(start_at);

CREATE TABLE play_logs (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    event_id    TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    order_id    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (device_id, event_id)
);
CREATE INDEX play_logs_order ON play_logs(order_id);
CREATE INDEX play_logs_device_item ON play_logs(device_id, item_id);
CREATE INDEX play_logs_started ON play_logs(started_at);

CREATE TABLE device_commands (
    id           INTEGER PRIMARY KEY,
    device_id    INTEGER NOT NULL REFERENCES devices(id),
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX device_commands_device ON device_commands(device_id, id);

-- +goose Down
DROP TABLE device_commands;
DROP TABLE play_logs;
DROP TABLE device_schedule_items;
DROP TABLE device_schedules;
DROP TABLE broadcast_order_targets;
DROP TABLE broadcast_orders;
DROP TABLE media;
DROP TABLE devices;
