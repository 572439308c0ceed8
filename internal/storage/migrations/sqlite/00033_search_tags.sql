-- +goose Up
-- Search at a million documents (issue #16): the reader's scope and the
-- common filters become index tokens (tags, search.Tag), so the full-text
-- engine intersects them with the words instead of the search joining
-- every match with its document: u<unit>, a<unit or ancestor> for every
-- unit on the unit's path, t<type>, i<issuer>, y<year>, d<direction>. They
-- live in their own FTS5 column (queried as `tags : …`), so no word of a
-- document can match one. The SQL filters stay as well (tags only narrow
-- the candidates). Existing rows get their tags at start
-- (storage.IndexMissingDocuments re-indexes rows whose tags are empty).
ALTER TABLE document_search ADD COLUMN tags TEXT NOT NULL DEFAULT '';
DROP TRIGGER document_search_au;
DROP TRIGGER document_search_ad;
DROP TRIGGER document_search_ai;
DROP TABLE document_fts;
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

-- The default retention rules (migration 00017) named Thông tư
-- 10/2022/TT-BNV as their basis, but their per-type periods were never
-- checked against the circular's schedule, which sets periods per group of
-- files, not per document type (internal/archive/testdata/retention-sources.md).
-- Rules still carrying the default basis say so; periods are unchanged.
UPDATE retention_rules SET basis = 'Mặc định của Loa theo loại văn bản, chưa đối chiếu từng dòng với Phụ lục Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (Thông tư quy định thời hạn theo nhóm hồ sơ, không theo loại văn bản): điều chỉnh theo Danh mục hồ sơ của cơ quan; xem internal/archive/testdata/retention-sources.md' WHERE basis = 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)';

-- +goose Down
UPDATE retention_rules SET basis = 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)' WHERE basis = 'Mặc định của Loa theo loại văn bản, chưa đối chiếu từng dòng với Phụ lục Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (Thông tư quy định thời hạn theo nhóm hồ sơ, không theo loại văn bản): điều chỉnh theo Danh mục hồ sơ của cơ quan; xem internal/archive/testdata/retention-sources.md';
DROP TRIGGER document_search_au;
DROP TRIGGER document_search_ad;
DROP TRIGGER document_search_ai;
DROP TABLE document_fts;
CREATE VIRTUAL TABLE document_fts USING fts5(code, subject, parties, body,
    content='document_search', content_rowid='document_id', tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
    INSERT INTO document_fts(rowid, code, subject, parties, body) VALUES (new.document_id, new.code, new.subject, new.parties, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body);
    INSERT INTO document_fts(rowid, code, subject, parties, body) VALUES (new.document_id, new.code, new.subject, new.parties, new.body);
END;
-- +goose StatementEnd
INSERT INTO document_fts(document_fts) VALUES ('rebuild');
ALTER TABLE document_search DROP COLUMN tags;
