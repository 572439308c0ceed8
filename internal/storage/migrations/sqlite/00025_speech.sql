-- +goose Up
-- Speech people understand: each unit's pronunciation dictionary (applied
-- on top of the national default and of the dictionaries of the units
-- above it, before any speech engine) and its speech profiles (speaking
-- rate, pitch and pauses, for all voices when voice = '' or for one
-- voice).

CREATE TABLE speech_lexicon (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    term       TEXT NOT NULL,
    say        TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX speech_lexicon_term ON speech_lexicon(unit_id, term);

CREATE TABLE speech_profiles (
    unit_id            INTEGER NOT NULL REFERENCES units(id),
    voice              TEXT NOT NULL DEFAULT '',
    words_per_minute   INTEGER NOT NULL,
    pitch              INTEGER NOT NULL,
    sentence_pause_ms  INTEGER NOT NULL,
    paragraph_pause_ms INTEGER NOT NULL,
    updated_by         TEXT NOT NULL DEFAULT '',
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, voice)
);

-- +goose Down
DROP TABLE speech_profiles;
DROP TABLE speech_lexicon;
