-- +goose Up
-- Live broadcasts: an operator speaks from a browser; the stream (WebM
-- with Opus, in chunks of about 250 ms) is stored chunk by chunk so that
-- every replica serves it to the devices it holds. A live session is a
-- broadcast order at the "live" level whose media item is the recording:
-- empty (sha256 '') while on air, filled with the normalised recording
-- when the operator stops. The chunks are deleted then.
CREATE TABLE broadcast_live (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    order_id   INTEGER NOT NULL REFERENCES broadcast_orders(id),
    media_id   INTEGER NOT NULL REFERENCES media(id),
    title      TEXT NOT NULL,
    mime       TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    bytes      BIGINT NOT NULL DEFAULT 0,
    chunks     INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX broadcast_live_unit ON broadcast_live(unit_id, id);
CREATE UNIQUE INDEX broadcast_live_order ON broadcast_live(order_id);

CREATE TABLE broadcast_live_chunks (
    live_id     INTEGER NOT NULL REFERENCES broadcast_live(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    data        BLOB NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (live_id, seq)
);

-- +goose Down
DROP TABLE broadcast_live_chunks;
DROP TABLE broadcast_live;
