-- 002_issuers_analysis: issuer normalisation (canonical names, aliases, level and region per
-- document) and series context, filled by warehouse.issuers.refresh_issuers after each load batch.
-- Only additions: no column of 001 is renamed or dropped, so every row of a version-1 file stays.

ALTER TABLE dim_issuer ADD COLUMN canonical_id VARCHAR;
ALTER TABLE dim_issuer ADD COLUMN region_level VARCHAR;
COMMENT ON COLUMN dim_issuer.issuer_id IS 'md5(name)[:16]: the same name gets the same id on every machine.';
COMMENT ON COLUMN dim_issuer.name IS 'Name as printed (a variant such as 州政府办公室) or the canonical full name (凉山州人民政府办公室).';
COMMENT ON COLUMN dim_issuer.level IS '国务院, 部委, 省, 市州 or 县; NULL when neither the name nor its document context tells.';
COMMENT ON COLUMN dim_issuer.region IS 'Region the body belongs to, short form (凉山州, 江西省); NULL for central bodies and unresolved short forms.';
COMMENT ON COLUMN dim_issuer.canonical_id IS 'The canonical issuer this name stands for when that is the same in every document; NULL when it depends on the document (see document_issuer_canonical).';
COMMENT ON COLUMN dim_issuer.region_level IS 'Level of the region itself (省, 市州, 县), which for a department is also its level.';

CREATE TABLE issuer_alias (
    alias      VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    issuer_id  VARCHAR NOT NULL,
    rule       VARCHAR NOT NULL,
    n_documents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (alias, region)
);
COMMENT ON TABLE issuer_alias IS 'Issuer variants: a name as printed, in the context of a region ('''' = anywhere), and the canonical issuer it stands for. Rebuilt by refresh_issuers.';
COMMENT ON COLUMN issuer_alias.alias IS 'The name as printed (州政府办公室, 省政府办公厅, 凉山州政府办公室).';
COMMENT ON COLUMN issuer_alias.region IS 'The document context region that decided the canonical name; empty string when the alias holds anywhere.';
COMMENT ON COLUMN issuer_alias.issuer_id IS 'Canonical dim_issuer.issuer_id.';
COMMENT ON COLUMN issuer_alias.rule IS 'Which rule of warehouse/issuers.toml mapped it: short_form, synonym or metadata (the page''s own 发文机关 label).';
COMMENT ON COLUMN issuer_alias.n_documents IS 'Documents in which this alias was printed.';

CREATE TABLE document_issuer_canonical (
    document_id        VARCHAR NOT NULL,
    ordinal            INTEGER NOT NULL,
    printed_issuer_id  VARCHAR NOT NULL,
    issuer_id          VARCHAR NOT NULL,
    rule               VARCHAR NOT NULL,
    PRIMARY KEY (document_id, ordinal)
);
COMMENT ON TABLE document_issuer_canonical IS 'Bridge document_issuer resolved to canonical issuers: analyses group by issuer_id here, never by the printed name. Rebuilt by refresh_issuers.';
COMMENT ON COLUMN document_issuer_canonical.printed_issuer_id IS 'dim_issuer row of the name as printed (document_issuer.issuer_id).';
COMMENT ON COLUMN document_issuer_canonical.issuer_id IS 'dim_issuer row of the canonical issuer.';
COMMENT ON COLUMN document_issuer_canonical.rule IS 'full_name (printed name is canonical), synonym, short_form, metadata, or as_printed (no rule applied).';

CREATE TABLE document_context (
    document_id  VARCHAR PRIMARY KEY,
    province     VARCHAR,
    prefecture   VARCHAR,
    county       VARCHAR,
    region       VARCHAR,
    level        VARCHAR,
    evidence     VARCHAR
);
COMMENT ON TABLE document_context IS 'Where a document comes from: regions read from its issuers, title, series prefix, gazette and source, and the level of its first issuer. Rebuilt by refresh_issuers.';
COMMENT ON COLUMN document_context.region IS 'Region of the first issuer, else the most specific region of the context.';
COMMENT ON COLUMN document_context.level IS 'Level of the first (canonical) issuer; NULL when unknown.';
COMMENT ON COLUMN document_context.evidence IS 'What gave the region: issuer, title, series, gazette, source or issue (other documents of the same issue or site).';

ALTER TABLE dim_series ADD COLUMN level VARCHAR;
ALTER TABLE dim_series ADD COLUMN region VARCHAR;
ALTER TABLE dim_series ADD COLUMN seen_as VARCHAR;
ALTER TABLE dim_series ADD COLUMN level_source VARCHAR;
COMMENT ON COLUMN dim_series.series_kind IS '文, 函, 令 or 电 read from the code (凉府办函 is a 函 series).';
COMMENT ON COLUMN dim_series.issuer_id IS 'Canonical issuer that most of the series'' loaded documents name first.';
COMMENT ON COLUMN dim_series.level IS 'Level of the issuing body: from loaded documents, else guessed from the prefix (国发 -> 国务院, 川府发 -> 省).';
COMMENT ON COLUMN dim_series.region IS 'Region of the issuing body (凉山州 for 凉府办发), same sources as level.';
COMMENT ON COLUMN dim_series.seen_as IS 'document when a loaded document carries the series, citation when it is only cited.';
COMMENT ON COLUMN dim_series.level_source IS 'documents, rule (issuers.toml series_level), province_prefix or learned_prefix (first character shared with loaded series).';
