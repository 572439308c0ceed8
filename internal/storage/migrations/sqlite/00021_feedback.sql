-- +goose Up
-- Citizens' feedback from the public commune pages (questions, comments on
-- a bulletin, loudspeaker complaints) and the officials' handling of it:
-- new → assigned → answered → closed, with a due time. The row is also the
-- job of the escalation queue (jobs engine): escalate_at is its due time;
-- escalated_at / escalation_failed_at end it.
CREATE TABLE feedback (
    id                   INTEGER PRIMARY KEY,
    unit_id              INTEGER NOT NULL REFERENCES units(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('feedback', 'question', 'speaker')),
    problem              TEXT NOT NULL DEFAULT '',
    order_id             INTEGER REFERENCES broadcast_orders(id),
    device_id            INTEGER REFERENCES devices(id),
    body                 TEXT NOT NULL,
    sender_name          TEXT NOT NULL DEFAULT '',
    sender_phone         TEXT NOT NULL DEFAULT '',
    consent              BOOLEAN NOT NULL DEFAULT 0,
    client_addr          TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'assigned', 'answered', 'closed')),
    assigned_unit_id     INTEGER REFERENCES units(id),
    escalated_unit_id    INTEGER REFERENCES units(id),
    due_at               TIMESTAMP NOT NULL,
    escalate_at          TIMESTAMP NOT NULL,
    escalation_attempts  INTEGER NOT NULL DEFAULT 0,
    escalation_error     TEXT NOT NULL DEFAULT '',
    escalated_at         TIMESTAMP,
    escalation_failed_at TIMESTAMP,
    answer               TEXT NOT NULL DEFAULT '',
    answer_public        BOOLEAN NOT NULL DEFAULT 0,
    answered_by          TEXT NOT NULL DEFAULT '',
    answered_at          TIMESTAMP,
    closed_at            TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX feedback_unit ON feedback(unit_id, id);
CREATE INDEX feedback_assigned ON feedback(assigned_unit_id, id);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_escalate ON feedback(escalate_at, id) WHERE escalated_at IS NULL AND escalation_failed_at IS NULL;

-- Submissions per client address and window, shared by replicas.
CREATE TABLE feedback_rate (
    bucket       TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL
);

-- +goose Down
DROP TABLE feedback_rate;
DROP TABLE feedback;
