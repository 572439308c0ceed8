-- +goose Up
-- Several languages: a unit lists the languages its people listen to, in
-- order of preference (e.g. "km,vi" for a Khmer commune), inherited by
-- the units below that list none; a broadcast order's media is its
-- Vietnamese version and it may have versions in other languages; each
-- device plays the version of the first of its unit's languages that the
-- order has.

CREATE TABLE unit_languages (
    unit_id    INTEGER PRIMARY KEY REFERENCES units(id),
    languages  TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE broadcast_order_versions (
    order_id INTEGER NOT NULL REFERENCES broadcast_orders(id),
    language TEXT NOT NULL,
    media_id INTEGER NOT NULL REFERENCES media(id),
    PRIMARY KEY (order_id, language)
);
CREATE INDEX broadcast_order_versions_media ON broadcast_order_versions(media_id);

-- +goose Down
DROP TABLE broadcast_order_versions;
DROP TABLE unit_languages;
