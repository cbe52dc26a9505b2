-- Data quality views: where a publisher's own metadata and the document's text disagree.

CREATE OR REPLACE VIEW metadata_disagreements AS
SELECT
    m.document_id,
    m.source_uri,
    m.value                                   AS fields,
    d.doc_number                              AS table_doc_number,
    max(CASE WHEN b.key = 'body:doc_number' THEN b.value END)  AS body_doc_number,
    d.signed_date                             AS table_signed_date,
    max(CASE WHEN b.key = 'body:signed_date' THEN b.value END) AS body_signed_date,
    d.issuers                                 AS table_issuers,
    max(CASE WHEN b.key = 'body:issuers' THEN b.value END)     AS body_issuers
FROM document_metadata m
JOIN fact_document d USING (document_id)
LEFT JOIN document_metadata b ON b.document_id = m.document_id AND b.source_uri = m.source_uri AND b.key LIKE 'body:%'
WHERE m.key = 'disagreement'
GROUP BY ALL;
COMMENT ON VIEW metadata_disagreements IS 'Portal pages whose metadata table and body (number under the title, signature, date) disagree: the table wins in documents, both are shown here.';
