-- The stable interface analysts and other tools query. Names and columns never change;
-- columns may be added at the end. Recreated on every start (views hold no data).

-- Where each document is best shown from: a gazette appearance first (it has section and
-- issue), then the earliest loaded one.
CREATE OR REPLACE VIEW document_primary_appearance AS
SELECT * EXCLUDE (rn)
FROM (
    SELECT a.*,
           row_number() OVER (
               PARTITION BY a.document_id
               ORDER BY (a.issue_id IS NULL), a.loaded_at, a.source_uri
           ) AS rn
    FROM fact_document_appearance a
)
WHERE rn = 1;

CREATE OR REPLACE VIEW documents AS
SELECT
    d.document_id,
    d.title,
    d.doc_number,
    d.series,
    d.doc_year,
    d.serial,
    d.issuers,
    d.signed_date,
    d.genre,
    p.section,
    p.source_uri,
    g.label                AS gazette_issue,
    coalesce(d.published_date, p.published_date) AS published_date,
    p.source_id,
    p.page,
    d.version,
    (SELECT count(*) FROM fact_document_appearance x WHERE x.document_id = d.document_id) AS n_appearances,
    d.latest_raw_id        AS raw_id
FROM fact_document d
LEFT JOIN document_primary_appearance p USING (document_id)
LEFT JOIN dim_gazette_issue g ON g.issue_id = p.issue_id;

CREATE OR REPLACE VIEW appointments AS
SELECT document_id, action, person, position, qualifier, ordinal, raw_id
FROM fact_appointment;

CREATE OR REPLACE VIEW citations AS
SELECT document_id, cited_doc_number, series, doc_year, serial, raw_id
FROM fact_citation;

CREATE OR REPLACE VIEW task_assignments AS
SELECT a.document_id, t.task_no, t.task, a.unit, a.role, a.ordinal, a.raw_id
FROM fact_task_assignment a
JOIN fact_task t ON t.document_id = a.document_id AND t.task_ordinal = a.task_ordinal;

CREATE OR REPLACE VIEW issuance_by_month AS
SELECT
    CAST(date_trunc('month', coalesce(d.signed_date, d.published_date)) AS DATE) AS month,
    i.issuer,
    d.genre,
    count(DISTINCT d.document_id) AS n_documents
FROM fact_document d, unnest(CASE WHEN len(d.issuers) > 0 THEN d.issuers ELSE [NULL] END) AS i(issuer)
WHERE coalesce(d.signed_date, d.published_date) IS NOT NULL
GROUP BY ALL;
