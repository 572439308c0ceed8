-- +goose Up
-- Search at a million documents (issue #16, round 7). The candidate search
-- asks FTS5 for the newest matches first (ORDER BY rowid DESC): FTS5 then
-- walks every doclist backwards, and for each leaf page it enters it
-- reads the page from its start to find the entries it steps back over
-- (fts5SegIterReverseNewPage, fts5SegIterReverseInitPage): 60 % of the
-- engine's time in the candidate search at 1,000,000 documents. The index
-- now holds each document under the negated id (rowid = -document_id), so
-- newest first is FTS5's forward order. The content comes from a view that
-- negates the id; the triggers write -document_id.
DROP TABLE IF EXISTS document_fts_vocab;
DROP TRIGGER document_search_au;
DROP TRIGGER document_search_ad;
DROP TRIGGER document_search_ai;
DROP TABLE document_fts;
CREATE VIEW document_fts_content AS
    SELECT -document_id AS fts_id, code, subject, parties, body, tags FROM document_search;
CREATE VIRTUAL TABLE document_fts USING fts5(code, subject, parties, body, tags,
    content='document_fts_content', content_rowid='fts_id', tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (-new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', -old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', -old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (-new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;
-- +goose StatementEnd
INSERT INTO document_fts(document_fts) VALUES ('rebuild');
INSERT INTO document_fts(document_fts) VALUES ('optimize');
CREATE VIRTUAL TABLE document_fts_vocab USING fts5vocab(document_fts, row);

-- +goose Down
DROP TABLE IF EXISTS document_fts_vocab;
DROP TRIGGER document_search_au;
DROP TRIGGER document_search_ad;
DROP TRIGGER document_search_ai;
DROP TABLE document_fts;
DROP VIEW document_fts_content;
CREATE VIRTUAL TABLE document_fts USING fts5(code, subject, parties, body, tags,
    content='document_search', content_rowid='document_id', tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;
-- +goose StatementEnd
INSERT INTO document_fts(document_fts) VALUES ('rebuild');
INSERT INTO document_fts(document_fts) VALUES ('optimize');
CREATE VIRTUAL TABLE document_fts_vocab USING fts5vocab(document_fts, row);
