-- +goose Up
-- Channels of Decree 49/2024 other than devices: SMS/OTT campaigns sent
-- through a provider's gateway (subscriber lists with consent, opt-outs,
-- a transactional outbox of per-recipient messages with their send
-- attempts and delivery receipts) and the manual channels (press,
-- radio/TV, propagandists, printed material, bulletin boards) as tasks
-- confirmed by hand with evidence.

CREATE TABLE channel_lists (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (unit_id, name)
);

CREATE TABLE channel_subscribers (
    list_id        INTEGER NOT NULL REFERENCES channel_lists(id) ON DELETE CASCADE,
    phone          TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    consent_source TEXT NOT NULL,
    consent_at     TIMESTAMP NOT NULL,
    opted_out_at   TIMESTAMP,
    created_by     TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (list_id, phone)
);
CREATE INDEX channel_subscribers_phone ON channel_subscribers(phone);

CREATE TABLE channel_optouts (
    phone  TEXT PRIMARY KEY,
    at     TIMESTAMP NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE channel_campaigns (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    channel      TEXT NOT NULL,
    body         TEXT NOT NULL,
    parts        INTEGER NOT NULL,
    order_id     BIGINT NOT NULL DEFAULT 0,
    directive_id BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('sending', 'done', 'cancelled')),
    recipients   INTEGER NOT NULL,
    excluded     INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX channel_campaigns_unit ON channel_campaigns(unit_id, id);
CREATE INDEX channel_campaigns_order ON channel_campaigns(order_id);
CREATE INDEX channel_campaigns_directive ON channel_campaigns(directive_id);

CREATE TABLE channel_messages (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES channel_campaigns(id),
    channel        TEXT NOT NULL,
    phone          TEXT NOT NULL,
    part           INTEGER NOT NULL,
    parts          INTEGER NOT NULL,
    body           TEXT NOT NULL,
    client_ref     TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'unknown', 'cancelled', 'skipped')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TIMESTAMP NOT NULL,
    provider_id    TEXT NOT NULL DEFAULT '',
    last_error     TEXT NOT NULL DEFAULT '',
    sent_at        TIMESTAMP,
    receipt_at     TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, phone, part)
);
CREATE INDEX channel_messages_due ON channel_messages(channel, next_at) WHERE status IN ('queued', 'sending');
CREATE INDEX channel_messages_provider ON channel_messages(channel, provider_id) WHERE provider_id <> '';
CREATE INDEX channel_messages_campaign ON channel_messages(campaign_id, status);

CREATE TABLE channel_attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES channel_messages(id),
    n           INTEGER NOT NULL,
    client_ref  TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome     TEXT NOT NULL DEFAULT '',
    provider_id TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    UNIQUE (message_id, n)
);

CREATE TABLE channel_tasks (
    id             INTEGER PRIMARY KEY,
    issuer_unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    order_id       BIGINT NOT NULL DEFAULT 0,
    directive_id   BIGINT NOT NULL DEFAULT 0,
    item_no        INTEGER NOT NULL DEFAULT 0,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    instructions   TEXT NOT NULL DEFAULT '',
    due_date       TEXT NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'done', 'late', 'declined')),
    reason         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    closed_by      TEXT NOT NULL DEFAULT '',
    closed_at      TIMESTAMP,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    CHECK (order_id > 0 OR directive_id > 0),
    UNIQUE (order_id, directive_id, item_no, kind, unit_id)
);
CREATE INDEX channel_tasks_unit ON channel_tasks(unit_id, status);
CREATE INDEX channel_tasks_issuer ON channel_tasks(issuer_unit_id, id);
CREATE INDEX channel_tasks_directive ON channel_tasks(directive_id);

CREATE TABLE channel_task_evidence (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES channel_tasks(id),
    kind       TEXT NOT NULL CHECK (kind IN ('link', 'photo', 'file')),
    url        TEXT NOT NULL DEFAULT '',
    sha256     TEXT NOT NULL DEFAULT '',
    size       BIGINT NOT NULL DEFAULT 0,
    mime       TEXT NOT NULL DEFAULT '',
    filename   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX channel_task_evidence_task ON channel_task_evidence(task_id);

-- +goose Down
DROP TABLE channel_task_evidence;
DROP TABLE channel_tasks;
DROP TABLE channel_attempts;
DROP TABLE channel_messages;
DROP TABLE channel_campaigns;
DROP TABLE channel_optouts;
DROP TABLE channel_subscribers;
DROP TABLE channel_lists;
