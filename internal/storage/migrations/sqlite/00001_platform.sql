-- +goose Up
CREATE TABLE unit_kinds (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    parent_id    INTEGER REFERENCES units(id),
    path         TEXT NOT NULL DEFAULT '',
    depth        INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    short_name   TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL REFERENCES unit_kinds(code),
    abbreviation TEXT NOT NULL DEFAULT '',
    agency_id    TEXT NOT NULL DEFAULT '',
    active_from  TEXT NOT NULL DEFAULT '',
    dissolved_on TEXT NOT NULL DEFAULT '',
    merged_into  INTEGER REFERENCES units(id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_path ON units(path);

CREATE TABLE unit_history (
    id       INTEGER PRIMARY KEY,
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    at       TIMESTAMP NOT NULL,
    actor_id INTEGER,
    change   TEXT NOT NULL,
    before   TEXT NOT NULL DEFAULT '',
    after    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unit_history_unit ON unit_history(unit_id, id);

CREATE TABLE recipient_groups (
    id            INTEGER PRIMARY KEY,
    owner_unit_id INTEGER NOT NULL REFERENCES units(id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    rule          TEXT,
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (owner_unit_id, name)
);

CREATE TABLE recipient_group_members (
    group_id INTEGER NOT NULL REFERENCES recipient_groups(id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (group_id, unit_id)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    lang          TEXT NOT NULL DEFAULT 'vi',
    created_at    TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    client     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    client   TEXT NOT NULL,
    at       TIMESTAMP NOT NULL,
    success  BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username, at);
CREATE INDEX login_attempts_client ON login_attempts(client, at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL,
    unit_id     INTEGER,
    unit_path   TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_unit_path ON audit_log(unit_path);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

CREATE TABLE enrolment_keys (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    label      TEXT NOT NULL DEFAULT '',
    key_hash   TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);

INSERT INTO unit_kinds (code, name_vi, name_en, level) VALUES
 ('ministry',         'Bộ, cơ quan ngang bộ',                    'Ministry',                          1),
 ('central_dept',     'Cục, vụ thuộc bộ',                        'Ministry department',               1),
 ('provincial_pc',    'Ủy ban nhân dân tỉnh',                    'Provincial People''s Committee',     2),
 ('provincial_dept',  'Sở, ban, ngành tỉnh',                     'Provincial department',             2),
 ('dept_unit',        'Phòng, đơn vị thuộc sở',                  'Department unit',                   2),
 ('press',            'Báo chí',                                 'Newspaper',                         2),
 ('radio_tv',         'Đài Phát thanh và Truyền hình',           'Radio and TV station',              2),
 ('e_portal',         'Cổng thông tin điện tử',                  'E-portal',                          2),
 ('district_pc',      'Ủy ban nhân dân cấp huyện',               'District People''s Committee',       3),
 ('culture_centre',   'Trung tâm Văn hóa, Thông tin và Thể thao', 'Culture, information and sports centre', 3),
 ('commune_pc',       'Ủy ban nhân dân cấp xã',                  'Commune People''s Committee',        4),
 ('commune_radio',    'Đài truyền thanh cấp xã',                 'Commune radio station',             4),
 ('other',            'Khác',                                    'Other',                             0);

-- +goose Down
DROP TABLE blobs;
DROP TABLE enrolment_keys;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE recipient_group_members;
DROP TABLE recipient_groups;
DROP TABLE unit_history;
DROP TABLE units;
DROP TABLE unit_kinds;
