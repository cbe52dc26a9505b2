-- Analysis views over the star schema (issue 6). Each answers one question; its COMMENT says
-- which. Issuers are canonical (document_issuer_canonical, filled by refresh_issuers), so
-- 州政府办公室 and 凉山州人民政府办公室 count as one body.

-- Best date of a gazette issue: an ISO date as printed, else the first day of the printed
-- month (2020年4月), else NULL.
CREATE OR REPLACE VIEW gazette_issue_dates AS
SELECT
    g.issue_id,
    g.gazette,
    g.label,
    coalesce(
        try_cast(g.published AS DATE),
        CASE WHEN regexp_matches(g.published, '^\s*\d{4}\s*年\s*\d{1,2}\s*月')
             THEN make_date(CAST(regexp_extract(g.published, '(\d{4})\s*年', 1) AS INTEGER),
                            CAST(regexp_extract(g.published, '年\s*(\d{1,2})\s*月', 1) AS INTEGER), 1) END
    ) AS issue_date
FROM dim_gazette_issue g;
COMMENT ON VIEW gazette_issue_dates IS 'When was each gazette issue published? The printed date, or the first day of the printed month.';

-- One row per document: its dates, canonical first issuer, level and region.
CREATE OR REPLACE VIEW document_facts AS
SELECT
    d.document_id,
    d.doc_number,
    d.series,
    d.doc_year,
    d.serial,
    d.title,
    d.genre,
    d.signed_date,
    pub.first_published,
    coalesce(d.signed_date, d.published_date, pub.first_published) AS effective_date,
    i.issuer_id,
    i.name              AS issuer,
    coalesce(c.level, i.level) AS level,
    c.region,
    c.province,
    c.prefecture,
    pub.n_appearances
FROM fact_document d
LEFT JOIN (
    SELECT a.document_id,
           min(coalesce(a.published_date, gd.issue_date)) AS first_published,
           count(*) AS n_appearances
    FROM fact_document_appearance a
    LEFT JOIN gazette_issue_dates gd ON gd.issue_id = a.issue_id
    GROUP BY a.document_id
) pub ON pub.document_id = d.document_id
LEFT JOIN (
    SELECT document_id, arg_min(issuer_id, ordinal) AS issuer_id FROM document_issuer_canonical GROUP BY document_id
) fi ON fi.document_id = d.document_id
LEFT JOIN dim_issuer i ON i.issuer_id = fi.issuer_id
LEFT JOIN document_context c ON c.document_id = d.document_id;
COMMENT ON VIEW document_facts IS 'Each document with its effective date (signed, else published, else its gazette issue), canonical first issuer, level and region.';

CREATE OR REPLACE VIEW issuance_by_issuer_month AS
SELECT
    CAST(date_trunc('month', f.effective_date) AS DATE) AS month,
    i.issuer_id,
    i.name AS issuer,
    i.level,
    i.region,
    f.genre,
    count(DISTINCT f.document_id) AS n_documents
FROM document_facts f
JOIN document_issuer_canonical dic ON dic.document_id = f.document_id
JOIN dim_issuer i ON i.issuer_id = dic.issuer_id
WHERE f.effective_date IS NOT NULL
GROUP BY ALL;
COMMENT ON VIEW issuance_by_issuer_month IS 'How many documents did each canonical issuer issue per month and genre? Joint documents count for every issuer.';

CREATE OR REPLACE VIEW issuance_by_level_month AS
SELECT
    CAST(date_trunc('month', effective_date) AS DATE) AS month,
    coalesce(level, '未知') AS level,
    genre,
    count(*) AS n_documents
FROM document_facts
WHERE effective_date IS NOT NULL
GROUP BY ALL;
COMMENT ON VIEW issuance_by_level_month IS 'How many documents per month, genre and level of government (国务院/部委/省/市州/县, 未知)? Each document once, by its first issuer.';

CREATE OR REPLACE VIEW publication_lag AS
SELECT
    a.document_id,
    d.doc_number,
    f.issuer,
    f.level,
    d.signed_date,
    coalesce(a.published_date, gd.issue_date) AS published_date,
    CASE WHEN a.issue_id IS NOT NULL THEN 'gazette' ELSE 'portal' END AS channel,
    a.source_uri,
    gd.label AS gazette_issue,
    datediff('day', d.signed_date, coalesce(a.published_date, gd.issue_date)) AS lag_days
FROM fact_document_appearance a
JOIN fact_document d ON d.document_id = a.document_id
LEFT JOIN gazette_issue_dates gd ON gd.issue_id = a.issue_id
LEFT JOIN document_facts f ON f.document_id = a.document_id
WHERE d.signed_date IS NOT NULL AND coalesce(a.published_date, gd.issue_date) IS NOT NULL;
COMMENT ON VIEW publication_lag IS 'How long from signing to publication, per appearance? lag_days = published (portal date or gazette issue date; a month-only issue counts from its first day, so can be negative) minus signed_date.';

CREATE OR REPLACE VIEW publication_lag_summary AS
SELECT
    issuer,
    level,
    channel,
    year(signed_date) AS year,
    count(*) AS n_documents,
    median(lag_days) AS median_lag_days,
    round(avg(lag_days), 1) AS mean_lag_days,
    max(lag_days) AS max_lag_days
FROM publication_lag
GROUP BY ALL;
COMMENT ON VIEW publication_lag_summary IS 'Per issuer, channel (gazette or portal) and signing year: how many days do documents take to be published (median, mean, max)?';

CREATE OR REPLACE VIEW series_coverage AS
WITH published AS (
    SELECT series, doc_year, serial FROM fact_document
    WHERE series IS NOT NULL AND doc_year IS NOT NULL AND serial IS NOT NULL
), cited AS (
    SELECT series, doc_year, serial FROM fact_citation
    WHERE series IS NOT NULL AND doc_year IS NOT NULL AND serial IS NOT NULL
), known AS (
    SELECT * FROM published UNION SELECT * FROM cited
)
SELECT
    p.series,
    p.doc_year,
    s.series_kind,
    s.level,
    s.region,
    max(p.serial) AS max_serial,
    count(DISTINCT p.serial) AS n_published,
    max(p.serial) - count(DISTINCT p.serial) AS est_unpublished,
    round(count(DISTINCT p.serial) / max(p.serial), 3) AS share_published,
    (SELECT max(k.serial) FROM known k WHERE k.series = p.series AND k.doc_year = p.doc_year) AS max_serial_known,
    (SELECT count(DISTINCT c.serial) FROM cited c WHERE c.series = p.series AND c.doc_year = p.doc_year
        AND c.serial NOT IN (SELECT serial FROM published x WHERE x.series = p.series AND x.doc_year = p.doc_year)) AS n_cited_unpublished,
    list(DISTINCT p.serial ORDER BY p.serial) AS serials
FROM published p
LEFT JOIN dim_series s ON s.series = p.series
GROUP BY p.series, p.doc_year, s.series_kind, s.level, s.region;
COMMENT ON VIEW series_coverage IS 'Per series and year: highest serial published, how many distinct serials are published, and an estimate of issued-but-unpublished numbers (max_serial - n_published); max_serial_known also counts cited numbers.';

CREATE OR REPLACE VIEW citation_links AS
SELECT
    c.document_id AS citing_document_id,
    fc.doc_number AS citing_doc_number,
    coalesce(fc.level, '未知') AS citing_level,
    fc.region AS citing_region,
    c.cited_doc_number,
    t.document_id AS cited_document_id,
    coalesce(tf.level, s.level, '未知') AS cited_level,
    coalesce(tf.region, s.region) AS cited_region,
    CASE WHEN t.document_id IS NOT NULL THEN 'loaded'
         WHEN s.level IS NOT NULL THEN 'series_' || coalesce(s.level_source, 'rule')
         ELSE 'unknown' END AS resolution
FROM fact_citation c
JOIN document_facts fc ON fc.document_id = c.document_id
LEFT JOIN (SELECT doc_number, min(document_id) AS document_id FROM fact_document WHERE doc_number IS NOT NULL GROUP BY doc_number) t
    ON t.doc_number = c.cited_doc_number
LEFT JOIN document_facts tf ON tf.document_id = t.document_id
LEFT JOIN dim_series s ON s.series = c.series;
COMMENT ON VIEW citation_links IS 'Every citation with both ends placed: the cited number resolves to a loaded document when its doc_number matches, else its level is guessed from its series (dim_series).';

CREATE OR REPLACE VIEW most_cited AS
SELECT
    l.cited_doc_number,
    any_value(l.cited_document_id) AS cited_document_id,
    any_value(d.title) AS title,
    any_value(l.cited_level) AS cited_level,
    count(DISTINCT l.citing_document_id) AS n_citing_documents,
    list(DISTINCT l.citing_doc_number) FILTER (WHERE l.citing_doc_number IS NOT NULL) AS citing_doc_numbers
FROM citation_links l
LEFT JOIN fact_document d ON d.document_id = l.cited_document_id
GROUP BY l.cited_doc_number;
COMMENT ON VIEW most_cited IS 'Which document numbers are cited by the most distinct documents? Title when the cited document is loaded.';

CREATE OR REPLACE VIEW citation_level_graph AS
SELECT citing_level, cited_level, count(*) AS n_citations, count(DISTINCT citing_document_id) AS n_citing_documents
FROM citation_links
GROUP BY ALL;
COMMENT ON VIEW citation_level_graph IS 'Who cites whom across levels of government: citations from documents of one level (citing_level) to numbers of another (cited_level).';

-- Organisation of an appointment: the post without its title words, short forms given the
-- document's region (州卫生健康委员会副主任 in a Liangshan document -> 凉山州卫生健康委员会).
CREATE OR REPLACE VIEW appointment_organisations AS
SELECT
    a.document_id,
    a.action,
    a.person,
    a.position,
    f.effective_date,
    f.issuer AS appointing_issuer,
    regexp_replace(a.position,
        '(党组)?(常务)?(副)?(主任|局长|厅长|主席|秘书长|院长|校长|书记|调研员|巡视员|处长|科长|所长|行长|馆长|部长|司长|总经理|经理|支队长|大队长|队长|站长|会长|庭长|检察长|关长|市长|州长|县长|区长|省长|督学|总经济师|总工程师|总规划师|总会计师|安全总监|总监|主席)+$', '') AS org_as_printed,
    CASE
        WHEN regexp_matches(a.position, '^(州|市)') AND c.prefecture IS NOT NULL THEN c.prefecture || substr(a.position, 2)
        WHEN regexp_matches(a.position, '^省') AND c.province IS NOT NULL THEN c.province || substr(a.position, 2)
        WHEN regexp_matches(a.position, '^县') AND c.county IS NOT NULL THEN c.county || substr(a.position, 2)
        ELSE a.position END AS position_full
FROM fact_appointment a
JOIN document_facts f ON f.document_id = a.document_id
LEFT JOIN document_context c ON c.document_id = a.document_id;
COMMENT ON VIEW appointment_organisations IS 'Each appointment or removal with the organisation read from the post (title words stripped) and the post with its region spelled out.';

-- 州财政局 in a Liangshan document is 凉山州财政局; 省卫生健康委 in a Sichuan one 四川省卫生健康委
-- (not 州级/市直 collective words, not a bracket).
CREATE OR REPLACE MACRO spell_region(name, prefecture, province) AS
    CASE
        WHEN regexp_matches(name, '^(州|市)[^(（级直]') AND prefecture IS NOT NULL THEN prefecture || substr(name, 2)
        WHEN regexp_matches(name, '^省[^(（级直]') AND province IS NOT NULL THEN province || substr(name, 2)
        ELSE name END;

CREATE OR REPLACE VIEW appointments_by_organisation AS
SELECT
    spell_region(o.org_as_printed, c.prefecture, c.province) AS organisation,
    CAST(date_trunc('month', o.effective_date) AS DATE) AS month,
    count(*) FILTER (WHERE o.action = '任命') AS n_appointed,
    count(*) FILTER (WHERE o.action = '免去') AS n_removed,
    count(*) AS n_actions
FROM appointment_organisations o
LEFT JOIN document_context c ON c.document_id = o.document_id
GROUP BY ALL;
COMMENT ON VIEW appointments_by_organisation IS 'How many people were appointed to or removed from posts in each organisation, per month?';

CREATE OR REPLACE VIEW task_load_by_unit AS
SELECT
    spell_region(t.unit, c.prefecture, c.province) AS unit,
    year(f.effective_date) AS year,
    count(*) AS n_assignments,
    count(DISTINCT t.document_id) AS n_documents,
    count(DISTINCT (t.document_id, t.task_ordinal)) AS n_tasks,
    count(*) FILTER (WHERE t.role LIKE '%牵头%') AS n_lead
FROM fact_task_assignment t
JOIN document_facts f ON f.document_id = t.document_id
LEFT JOIN document_context c ON c.document_id = t.document_id
GROUP BY ALL;
COMMENT ON VIEW task_load_by_unit IS 'Which units carry the most tasks? Assignments, distinct tasks and documents per responsible unit and year; short forms (州财政局) get the document''s region (凉山州财政局).';
