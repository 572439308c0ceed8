-- +goose Up
-- CAP 1.2. Incoming alerts (posted or polled) wait here as drafts of
-- emergency orders for an approver of the receiving unit; an approved one
-- names the order it became. cap_orders links an emergency order to the
-- CAP alert it came from and to the order it replaces (a CAP Update), and
-- cap_order_info keeps the alert's info blocks per language, so the
-- outgoing feed republishes Vietnamese and English where both exist.
CREATE TABLE cap_inbound (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    identifier   TEXT NOT NULL,
    sender       TEXT NOT NULL,
    sent         TEXT NOT NULL,
    msg_type     TEXT NOT NULL,
    status       TEXT NOT NULL,
    headline     TEXT NOT NULL,
    refs         TEXT NOT NULL DEFAULT '',
    xml          TEXT NOT NULL,
    target_units TEXT NOT NULL,
    unmatched    TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved', 'rejected')),
    received_by  TEXT NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    order_id     INTEGER REFERENCES broadcast_orders(id),
    UNIQUE (sender, identifier)
);
CREATE INDEX cap_inbound_unit ON cap_inbound(unit_id, id);

CREATE TABLE cap_orders (
    order_id            INTEGER PRIMARY KEY REFERENCES broadcast_orders(id),
    inbound_id          INTEGER REFERENCES cap_inbound(id),
    supersedes_order_id INTEGER REFERENCES broadcast_orders(id)
);

CREATE TABLE cap_order_info (
    order_id    INTEGER NOT NULL REFERENCES broadcast_orders(id),
    lang        TEXT NOT NULL,
    event       TEXT NOT NULL,
    headline    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    instruction TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, lang)
);

-- +goose Down
DROP TABLE cap_order_info;
DROP TABLE cap_orders;
DROP TABLE cap_inbound;
