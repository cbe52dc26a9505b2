-- 001_init: raw layer, dimensions, facts, operational tables.
-- Keys are derived from content (sha256 of bytes, document number or title+date), never from
-- insertion order, so a re-run or another machine produces the same ids.

-- ---------------------------------------------------------------- raw layer
CREATE TABLE raw_blob (
    sha256      VARCHAR PRIMARY KEY,
    content     BLOB,
    size_bytes  BIGINT NOT NULL,
    file_path   VARCHAR
);
COMMENT ON TABLE raw_blob IS 'Every fetched or read byte, stored once per distinct content (sha256): inline, or for large inputs in the raw store directory beside the warehouse file.';
COMMENT ON COLUMN raw_blob.file_path IS 'For inputs over the inline limit: path of the file in the raw store (<warehouse>.raw/), relative to the warehouse file.';

CREATE TABLE raw_item (
    raw_id       VARCHAR PRIMARY KEY,
    source_id    VARCHAR NOT NULL,
    uri          VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    media_type   VARCHAR,
    encoding     VARCHAR,
    http_status  INTEGER,
    headers      JSON,
    hints        JSON,
    fetched_at   TIMESTAMPTZ NOT NULL,
    stored_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    parsed_sha256 VARCHAR,
    parsed_at    TIMESTAMPTZ,
    run_id       VARCHAR
);
COMMENT ON TABLE raw_item IS 'One row per (uri, content): what was fetched or read, when, and how it decodes. raw_id = sha256(uri NUL sha256).';
COMMENT ON COLUMN raw_item.raw_id IS 'Stable id: sha256 of uri, a NUL byte and the content hash.';
COMMENT ON COLUMN raw_item.kind IS 'gazette_text, gazette_pdf, portal_page or list_page: decides the parser.';
COMMENT ON COLUMN raw_item.encoding IS 'Detected text encoding (utf-8, gb18030, …); NULL for binary input.';
COMMENT ON COLUMN raw_item.parsed_sha256 IS 'Content hash last parsed and loaded: equal to sha256 means nothing to redo.';

CREATE TABLE fetch_log (
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR,
    source_id     VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    status        INTEGER,
    outcome       VARCHAR NOT NULL,
    reason        VARCHAR,
    etag          VARCHAR,
    last_modified VARCHAR,
    raw_id        VARCHAR
);
COMMENT ON TABLE fetch_log IS 'Every HTTP request a crawl made: fetched, unchanged (304), blocked, failed, with the reason.';

-- ---------------------------------------------------------------- dimensions
CREATE TABLE dim_source (
    source_id   VARCHAR PRIMARY KEY,
    name        VARCHAR,
    family      VARCHAR,
    base_url    VARCHAR,
    kind        VARCHAR
);
COMMENT ON TABLE dim_source IS 'Where inputs come from: a portal site definition (sources/sites/<id>.toml) or local for files.';

CREATE TABLE dim_issuer (
    issuer_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL UNIQUE,
    level       VARCHAR,
    region      VARCHAR
);
COMMENT ON TABLE dim_issuer IS 'Issuing bodies by normalised name; level 国务院/部委/省/市州/县 where known.';

CREATE TABLE dim_date AS
SELECT
    CAST(d AS DATE)                         AS date_key,
    year(d)                                 AS year,
    quarter(d)                              AS quarter,
    month(d)                                AS month,
    day(d)                                  AS day,
    isodow(d)                               AS iso_weekday,
    CAST(date_trunc('month', d) AS DATE)    AS month_start,
    isodow(d) >= 6                          AS is_weekend
FROM generate_series(DATE '1949-10-01', DATE '2040-12-31', INTERVAL 1 DAY) AS t(d);
COMMENT ON TABLE dim_date IS 'Calendar from 1949-10-01 to 2040-12-31, one row per day.';

CREATE TABLE dim_gazette_issue (
    issue_id        VARCHAR PRIMARY KEY,
    gazette         VARCHAR,
    year            INTEGER,
    issue_no        INTEGER,
    total_issue_no  INTEGER,
    published       VARCHAR,
    label           VARCHAR
);
COMMENT ON TABLE dim_gazette_issue IS 'Gazette issues: gazette name, year, issue number, total issue number, publication as printed.';

CREATE TABLE dim_genre (
    genre       VARCHAR PRIMARY KEY,
    description VARCHAR,
    sort_order  INTEGER
);
COMMENT ON TABLE dim_genre IS 'Document genres (文种) read from the last word of a title.';
INSERT INTO dim_genre VALUES
    ('通知', 'notice', 1), ('决定', 'decision', 2), ('意见', 'opinion', 3), ('方案', 'plan', 4),
    ('办法', 'measures', 5), ('通报', 'circular', 6), ('报告', 'report', 7), ('讲话', 'speech', 8),
    ('批复', 'reply', 9), ('公告', 'announcement', 10), ('细则', 'detailed rules', 11),
    ('规划', 'programme', 12), ('任免', 'appointments and removals', 13), ('其他', 'other', 99);

CREATE TABLE dim_series (
    series      VARCHAR PRIMARY KEY,
    series_kind VARCHAR,
    issuer_id   VARCHAR
);
COMMENT ON TABLE dim_series IS 'Document number series (凉府办发); series_kind 文 or 函 or 令 from the code.';

-- ---------------------------------------------------------------- facts
-- Fact tables that only the loader writes (appointments, citations, tasks, metadata, the issuer
-- bridge) carry no PRIMARY KEY: their keys, (document_id, ordinal) and the like, are enforced by
-- the loader (a document's facts are replaced as a whole) and checked by tests/test_contracts.py.
-- An index there would only grow the loader's memory with the table (DuckDB's ART indexes).
CREATE TABLE fact_document (
    document_id     VARCHAR PRIMARY KEY,
    title           VARCHAR NOT NULL,
    doc_number      VARCHAR,
    series          VARCHAR,
    doc_year        INTEGER,
    serial          INTEGER,
    issuers         VARCHAR[],
    signed_date     DATE,
    published_date  DATE,
    genre           VARCHAR,
    body            VARCHAR,
    content_sha256  VARCHAR NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    first_raw_id    VARCHAR NOT NULL,
    latest_raw_id   VARCHAR NOT NULL,
    defining_uri    VARCHAR NOT NULL,
    loaded_at       TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR
);
COMMENT ON TABLE fact_document IS 'One row per distinct document (latest version). document_id from its number (+date for orders) or title+date.';
COMMENT ON COLUMN fact_document.defining_uri IS 'The appearance whose text defines the row; other appearances only fill gaps.';
COMMENT ON COLUMN fact_document.content_sha256 IS 'Hash of the normalised fields and body: a change means a corrected republication.';

CREATE TABLE document_history (
    document_id     VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    title           VARCHAR,
    doc_number      VARCHAR,
    issuers         VARCHAR[],
    signed_date     DATE,
    genre           VARCHAR,
    body            VARCHAR,
    content_sha256  VARCHAR,
    raw_id          VARCHAR,
    valid_from      TIMESTAMPTZ,
    valid_to        TIMESTAMPTZ,
    PRIMARY KEY (document_id, version)
);
COMMENT ON TABLE document_history IS 'Earlier versions of documents that a source republished with corrected text or metadata.';

CREATE TABLE document_issuer (
    document_id VARCHAR NOT NULL,
    ordinal     INTEGER NOT NULL,
    issuer_id   VARCHAR NOT NULL
);
COMMENT ON TABLE document_issuer IS 'Bridge: every issuing body of a document, in printed order (joint issuance).';

CREATE TABLE fact_document_appearance (
    document_id      VARCHAR NOT NULL,
    source_uri       VARCHAR NOT NULL,
    raw_id           VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    issue_id         VARCHAR,
    section          VARCHAR,
    page             INTEGER,
    seq              INTEGER,
    line_start       INTEGER,
    line_end         INTEGER,
    published_date   DATE,
    content_sha256   VARCHAR,
    loaded_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, source_uri)
);
COMMENT ON TABLE fact_document_appearance IS 'Where a document was published: a gazette issue (section, page) or a portal page. Lineage to raw_item.';

CREATE TABLE fact_appointment (
    document_id VARCHAR NOT NULL,
    ordinal     INTEGER NOT NULL,
    action      VARCHAR NOT NULL,
    person      VARCHAR NOT NULL,
    position    VARCHAR,
    qualifier   VARCHAR,
    raw_id      VARCHAR NOT NULL
);
COMMENT ON TABLE fact_appointment IS 'Personnel actions: one row per 任命/免去, person and post; qualifier (试用期一年, 兼) kept apart.';

CREATE TABLE fact_citation (
    document_id      VARCHAR NOT NULL,
    cited_doc_number VARCHAR NOT NULL,
    series           VARCHAR,
    doc_year         INTEGER,
    serial           INTEGER,
    raw_id           VARCHAR NOT NULL
);
COMMENT ON TABLE fact_citation IS 'Document numbers cited in a document body, normalised; lists such as 〔2020〕1、3、4号 expanded.';

CREATE TABLE fact_task_assignment (
    document_id VARCHAR NOT NULL,
    ordinal     INTEGER NOT NULL,
    task_no     INTEGER,
    task        VARCHAR,
    unit        VARCHAR NOT NULL,
    role        VARCHAR,
    raw_id      VARCHAR NOT NULL
);
COMMENT ON TABLE fact_task_assignment IS 'Numbered tasks and their responsible units (责任单位): one row per task and unit.';

CREATE TABLE document_metadata (
    document_id VARCHAR NOT NULL,
    source_uri  VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    value       VARCHAR
);
COMMENT ON TABLE document_metadata IS 'Every field a publisher states (索引号, 主题分类, 发布日期, meta tags …) as printed, per appearance.';

-- ---------------------------------------------------------------- operations
CREATE TABLE quarantine (
    raw_id      VARCHAR PRIMARY KEY,
    source_id   VARCHAR NOT NULL,
    uri         VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    resolved_at TIMESTAMPTZ
);
COMMENT ON TABLE quarantine IS 'Inputs that could not be parsed or loaded: the stage, the reason in plain words, a link to raw_item.';

CREATE TABLE pipeline_runs (
    run_id              VARCHAR PRIMARY KEY,
    flow                VARCHAR NOT NULL,
    parameters          JSON,
    started             TIMESTAMPTZ NOT NULL,
    finished            TIMESTAMPTZ,
    state               VARCHAR NOT NULL,
    pages_fetched       INTEGER DEFAULT 0,
    inputs              INTEGER DEFAULT 0,
    documents_added     INTEGER DEFAULT 0,
    documents_updated   INTEGER DEFAULT 0,
    documents_unchanged INTEGER DEFAULT 0,
    quarantined         INTEGER DEFAULT 0,
    message             VARCHAR
);
COMMENT ON TABLE pipeline_runs IS 'One row per flow run: parameters, timing, state and counts.';
