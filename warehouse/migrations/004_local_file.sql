-- 004_local_file: how each local file looked when its bytes were last read, so a run over an
-- unchanged corpus knows a file by its path, size, modification time and inode instead of
-- reading and hashing it again (the check git's index and rsync make). A rerun over 10,000
-- unchanged issues read and hashed 1 GB: 3.6-6.7 s, most of it resolving paths, reading and
-- hashing. One row per path (the key: a chunk's rows replace theirs by index lookup), the
-- newest read.

CREATE TABLE local_file (
    uri        VARCHAR PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    mtime_ns   BIGINT NOT NULL,
    inode      BIGINT NOT NULL,
    raw_id     VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    read_at_ns BIGINT NOT NULL
);
COMMENT ON TABLE local_file IS 'Local files as they were when last read (one row per path): a rerun does not read a file whose size, modification time and inode are unchanged and whose bytes were parsed (raw_item.parsed_sha256 = sha256). `gazette ingest --force` reads every file.';
COMMENT ON COLUMN local_file.uri IS 'Resolved absolute path: raw_item.uri of the file.';
COMMENT ON COLUMN local_file.mtime_ns IS 'Modification time (ns since 1970) when read. A file modified within 2 s before it was read is read again next run (its time may not tell a later edit apart).';
COMMENT ON COLUMN local_file.raw_id IS 'The raw item these bytes were stored as (raw_item.raw_id).';
COMMENT ON COLUMN local_file.read_at_ns IS 'When the file was read (ns since 1970, this machine''s clock).';
