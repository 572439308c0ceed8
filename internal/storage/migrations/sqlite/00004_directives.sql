-- +goose Up
-- Directives: drafts with versions and comments, approval, issuing, the
-- transactional outbox of deliveries (one row per recipient unit), the
-- recipients' inboxes and states, notifications (in-app, e-mail, webhooks).

CREATE TABLE directive_settings (
    unit_id             INTEGER PRIMARY KEY REFERENCES units(id),
    approval_steps      TEXT NOT NULL DEFAULT '[]',
    auto_issue          BOOLEAN NOT NULL DEFAULT FALSE,
    remind_after_min    INTEGER NOT NULL DEFAULT 1440,
    remind_every_min    INTEGER NOT NULL DEFAULT 1440,
    max_reminders       INTEGER NOT NULL DEFAULT 3,
    escalate_after_min  INTEGER NOT NULL DEFAULT 4320,
    email_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    webhook_url         TEXT NOT NULL DEFAULT '',
    webhook_secret      TEXT NOT NULL DEFAULT '',
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE directives (
    id                     INTEGER PRIMARY KEY,
    unit_id                INTEGER NOT NULL REFERENCES units(id),
    drafting_unit_id       INTEGER NOT NULL REFERENCES units(id),
    created_by             INTEGER REFERENCES users(id),
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'issued')),
    step                   INTEGER NOT NULL DEFAULT 0,
    version                INTEGER NOT NULL DEFAULT 1,
    content                TEXT NOT NULL,
    doc_type               TEXT NOT NULL DEFAULT '',
    subject                TEXT NOT NULL DEFAULT '',
    implements_document_id INTEGER REFERENCES documents(id),
    parent_delivery_id     INTEGER REFERENCES deliveries(id),
    correction_of          INTEGER REFERENCES directives(id),
    correction_kind        TEXT NOT NULL DEFAULT '',
    document_id            INTEGER REFERENCES documents(id),
    register_entry_id      INTEGER REFERENCES register_entries(id),
    pdf_sha                TEXT NOT NULL DEFAULT '',
    code                   TEXT NOT NULL DEFAULT '',
    issued_date            TEXT NOT NULL DEFAULT '',
    issued_at              TIMESTAMP,
    issued_by              INTEGER REFERENCES users(id),
    fields                 TEXT NOT NULL DEFAULT '',
    deadline_at            TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX directives_unit_status ON directives(unit_id, status, id);
CREATE INDEX directives_creator ON directives(created_by, id);
CREATE UNIQUE INDEX directives_parent_delivery ON directives(parent_delivery_id);
CREATE INDEX directives_correction ON directives(correction_of);

CREATE TABLE directive_versions (
    id           INTEGER PRIMARY KEY,
    directive_id INTEGER NOT NULL REFERENCES directives(id),
    version      INTEGER NOT NULL,
    content      TEXT NOT NULL,
    saved_by     INTEGER REFERENCES users(id),
    saved_at     TIMESTAMP NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    autosave     BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (directive_id, version)
);

CREATE TABLE directive_comments (
    id           INTEGER PRIMARY KEY,
    directive_id INTEGER NOT NULL REFERENCES directives(id),
    user_id      INTEGER REFERENCES users(id),
    author       TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    step         INTEGER NOT NULL DEFAULT 0,
    text         TEXT NOT NULL DEFAULT '',
    at           TIMESTAMP NOT NULL
);
CREATE INDEX directive_comments_directive ON directive_comments(directive_id, id);

CREATE TABLE directive_items (
    id             INTEGER PRIMARY KEY,
    directive_id   INTEGER NOT NULL REFERENCES directives(id),
    position       INTEGER NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL DEFAULT '',
    broadcast      BOOLEAN NOT NULL DEFAULT FALSE,
    broadcast_text TEXT NOT NULL DEFAULT '',
    audio          TEXT NOT NULL DEFAULT '[]',
    level          TEXT NOT NULL DEFAULT '',
    start_date     TEXT NOT NULL DEFAULT '',
    end_date       TEXT NOT NULL DEFAULT '',
    times_per_day  INTEGER NOT NULL DEFAULT 0,
    slots          TEXT NOT NULL DEFAULT '[]',
    UNIQUE (directive_id, position)
);

CREATE TABLE directive_words (
    word         TEXT NOT NULL,
    directive_id INTEGER NOT NULL REFERENCES directives(id),
    PRIMARY KEY (word, directive_id)
) WITHOUT ROWID;
CREATE INDEX directive_words_directive ON directive_words(directive_id, word);

CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY,
    directive_id      INTEGER NOT NULL REFERENCES directives(id),
    recipient_unit_id INTEGER NOT NULL REFERENCES units(id),
    sender_unit_id    INTEGER NOT NULL REFERENCES units(id),
    purpose           TEXT NOT NULL CHECK (purpose IN ('main', 'copy', 'report')),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'read', 'acknowledged', 'assigned', 'forwarded', 'reported', 'closed', 'declined', 'failed')),
    code              TEXT NOT NULL DEFAULT '',
    doc_type          TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL DEFAULT '',
    doc_date          TEXT NOT NULL DEFAULT '',
    deadline_at       TIMESTAMP,
    attempts          INTEGER NOT NULL DEFAULT 0,
    available_at      TIMESTAMP NOT NULL,
    last_error        TEXT NOT NULL DEFAULT '',
    document_id       INTEGER REFERENCES documents(id),
    register_entry_id INTEGER REFERENCES register_entries(id),
    delivered_at      TIMESTAMP,
    read_at           TIMESTAMP,
    read_by           INTEGER REFERENCES users(id),
    acknowledged_at   TIMESTAMP,
    acknowledged_by   INTEGER REFERENCES users(id),
    assigned_at       TIMESTAMP,
    assigned_by       INTEGER REFERENCES users(id),
    assignee_user_id  INTEGER REFERENCES users(id),
    assignee_unit_id  INTEGER REFERENCES units(id),
    assign_note       TEXT NOT NULL DEFAULT '',
    forwarded_at      TIMESTAMP,
    forwarded_by      INTEGER REFERENCES users(id),
    forward_directive_id INTEGER REFERENCES directives(id),
    reported_at       TIMESTAMP,
    reported_by       INTEGER REFERENCES users(id),
    report            TEXT NOT NULL DEFAULT '',
    closed_at         TIMESTAMP,
    closed_by         INTEGER REFERENCES users(id),
    declined_at       TIMESTAMP,
    declined_by       INTEGER REFERENCES users(id),
    decline_reason    TEXT NOT NULL DEFAULT '',
    late              BOOLEAN NOT NULL DEFAULT FALSE,
    reminders         INTEGER NOT NULL DEFAULT 0,
    last_reminded_at  TIMESTAMP,
    escalated_at      TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (directive_id, recipient_unit_id)
);
CREATE INDEX deliveries_outbox ON deliveries(available_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_inbox ON deliveries(recipient_unit_id, id);
CREATE INDEX deliveries_inbox_status ON deliveries(recipient_unit_id, status, id);
CREATE INDEX deliveries_unacknowledged ON deliveries(delivered_at) WHERE status IN ('delivered', 'read') AND purpose = 'main';
CREATE INDEX deliveries_forward ON deliveries(forward_directive_id);
CREATE INDEX deliveries_assignee_user ON deliveries(assignee_user_id, id) WHERE assignee_user_id IS NOT NULL;
CREATE INDEX deliveries_assignee_unit ON deliveries(assignee_unit_id, id) WHERE assignee_unit_id IS NOT NULL;
CREATE INDEX deliveries_document ON deliveries(document_id);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    user_id      INTEGER REFERENCES users(id),
    kind         TEXT NOT NULL,
    directive_id INTEGER REFERENCES directives(id),
    delivery_id  INTEGER REFERENCES deliveries(id),
    message      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    read_at      TIMESTAMP
);
CREATE INDEX notifications_unit ON notifications(unit_id, id);

CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    target          TEXT NOT NULL,
    event           TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX notify_outbox_due ON notify_outbox(next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP TABLE notify_outbox;
DROP TABLE notifications;
UPDATE directives SET parent_delivery_id = NULL;
DROP TABLE deliveries;
DROP TABLE directive_words;
DROP TABLE directive_items;
DROP TABLE directive_comments;
DROP TABLE directive_versions;
DROP TABLE directives;
DROP TABLE directive_settings;
