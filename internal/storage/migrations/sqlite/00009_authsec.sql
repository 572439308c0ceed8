-- +goose Up
-- Sign-in throttling: one counter per (account, client address) and per
-- client address, shared by every replica. A counter holds the failures
-- since it was last cleared (or forgotten after a day without failures)
-- and until when the next attempt must wait; seq makes updates
-- compare-and-swap so concurrent attempts cannot slip past a delay.
CREATE TABLE login_throttle (
    bucket          TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    seq             BIGINT NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until   TIMESTAMP NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle(last_failure_at);

-- +goose Down
DROP TABLE login_throttle;
