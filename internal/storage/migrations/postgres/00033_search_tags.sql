-- +goose Up
-- Search at a million documents (issue #16); see the SQLite migration of
-- the same number for the tags. In PostgreSQL they join the stored
-- tsvector as lexemes prefixed with '#', which the text of a document
-- never produces (its tokens are letters and digits), and are queried as
-- '#a12'::tsquery next to the words, under the same GIN index.
ALTER TABLE document_search ADD COLUMN tags TEXT NOT NULL DEFAULT '';
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D') ||
    array_to_tsvector(string_to_array(CASE WHEN tags = '' THEN '' ELSE '#' || replace(tags, ' ', ' #') END, ' '))) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);

-- The default retention rules (migration 00017) named Thông tư
-- 10/2022/TT-BNV as their basis, but their per-type periods were never
-- checked against the circular's schedule, which sets periods per group of
-- files, not per document type (internal/archive/testdata/retention-sources.md).
-- Rules still carrying the default basis say so; periods are unchanged.
UPDATE retention_rules SET basis = 'Mặc định của Loa theo loại văn bản, chưa đối chiếu từng dòng với Phụ lục Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (Thông tư quy định thời hạn theo nhóm hồ sơ, không theo loại văn bản): điều chỉnh theo Danh mục hồ sơ của cơ quan; xem internal/archive/testdata/retention-sources.md' WHERE basis = 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)';

-- +goose Down
UPDATE retention_rules SET basis = 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)' WHERE basis = 'Mặc định của Loa theo loại văn bản, chưa đối chiếu từng dòng với Phụ lục Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (Thông tư quy định thời hạn theo nhóm hồ sơ, không theo loại văn bản): điều chỉnh theo Danh mục hồ sơ của cơ quan; xem internal/archive/testdata/retention-sources.md';
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search DROP COLUMN tags;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);
