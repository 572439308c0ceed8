-- +goose Up
-- Periodic reports of a unit to its superior (package reports). Which
-- periods a unit reports (a comma list of week, month, quarter, year),
-- edited in the UI; no row means no periodic report. The drafter is the
-- user in whose name the drafts are made (they see, edit and submit them).
CREATE TABLE report_settings (
    unit_id    INTEGER PRIMARY KEY REFERENCES units(id),
    periods    TEXT NOT NULL DEFAULT '',
    drafter_user_id INTEGER REFERENCES users(id),
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

-- One row per unit, kind of period and period: the report draft made for
-- it, written in the transaction that stores the draft, so a restart or a
-- second replica never makes a second report for the same period.
CREATE TABLE periodic_reports (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    period       TEXT NOT NULL CHECK (period IN ('week', 'month', 'quarter', 'year')),
    period_from  TEXT NOT NULL,
    period_to    TEXT NOT NULL,
    directive_id INTEGER NOT NULL REFERENCES directives(id),
    annex_sha    TEXT NOT NULL,
    figures      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (unit_id, period, period_from)
);
CREATE INDEX periodic_reports_directive ON periodic_reports(directive_id);

-- +goose Down
DROP TABLE periodic_reports;
DROP TABLE report_settings;
