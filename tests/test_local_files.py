"""Local files known by their stat (sources/local.stat_files, warehouse/raw.unchanged_files).

A rerun over an unchanged corpus must not read and hash every file again; a file that changed
must still be read. What changed is told by path, size, modification time and inode, as git's
index and rsync tell it: these tests pin which edits are seen and which (by design) are not.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import SEEDS

from flows.stream import ingest_stream
from sources.local import stat_files
from warehouse.db import connect

HOUR_NS = 3600 * 10**9
OLD = "攀府发〔2018〕18号"
NEW = "攀府发〔2018〕19号"  # the same number of bytes: the size does not tell the edit


def _corpus(tmp_path: Path) -> list[Path]:
    """The three seeds, last modified an hour ago (well before they are read)."""
    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for p in sorted(SEEDS.glob("*.txt")):
        q = folder / p.name
        shutil.copyfile(p, q)
        _age(q, HOUR_NS)
        paths.append(q)
    return paths


def _age(path: Path, ns: int) -> None:
    then = time.time_ns() - ns
    os.utime(path, ns=(then, then))


def _edit(path: Path, *, keep_mtime: bool) -> None:
    st = path.stat()
    path.write_bytes(path.read_bytes().replace(OLD.encode(), NEW.encode()))
    assert path.stat().st_size == st.st_size
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        _age(path, HOUR_NS // 2)


def _numbers(db: Path) -> set[str]:
    with connect(db, read_only=True) as con:
        return {n for (n,) in con.execute("SELECT doc_number FROM fact_document").fetchall() if n}


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    paths, db = _corpus(tmp_path), tmp_path / "w.duckdb"
    first = ingest_stream(db, paths, workers=0)
    assert (first["inputs"], first["skipped"]) == (3, 0)
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT f.uri, f.size_bytes, f.sha256 = r.sha256 FROM local_file f"
            " JOIN raw_item r USING (raw_id) ORDER BY f.uri"
        ).fetchall()
    assert rows == [(str(p.resolve()), p.stat().st_size, True) for p in paths]

    said: list[str] = []
    again = ingest_stream(db, paths, workers=0, progress=said.append)
    assert (again["inputs"], again["skipped"]) == (0, 3)
    assert said == ["3 unchanged files not read"]  # the flow's log says why nothing ran

    # An edit that keeps the size, the time and the inode is not seen (as with rsync) ...
    _edit(paths[2], keep_mtime=True)  # panzhihua_gazette_2018-12.txt
    assert ingest_stream(db, paths, workers=0)["skipped"] == 3
    assert OLD in _numbers(db) and NEW not in _numbers(db)
    # ... until a forced run reads every file.
    forced = ingest_stream(db, paths, workers=0, force=True)
    assert forced["inputs"] == 3
    assert NEW in _numbers(db)


def test_a_file_with_a_new_time_or_inode_is_read_again(tmp_path: Path) -> None:
    paths, db = _corpus(tmp_path), tmp_path / "w.duckdb"
    ingest_stream(db, paths, workers=0)
    panzhihua = paths[2]
    assert panzhihua.name.startswith("panzhihua")

    _edit(panzhihua, keep_mtime=False)  # same size, new time
    got = ingest_stream(db, paths, workers=0)
    assert (got["inputs"], got["skipped"]) == (1, 2)
    assert NEW in _numbers(db)

    # Replaced by another file (a copy, a checkout) with the old size and time: a new inode.
    st = panzhihua.stat()
    replacement = panzhihua.with_suffix(".new")
    third = "攀府发〔2018〕17号"
    replacement.write_bytes(panzhihua.read_bytes().replace(NEW.encode(), third.encode()))
    os.replace(replacement, panzhihua)
    os.utime(panzhihua, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert panzhihua.stat().st_ino != st.st_ino
    got = ingest_stream(db, paths, workers=0)
    assert (got["inputs"], got["skipped"]) == (1, 2)
    assert third in _numbers(db)


def test_a_file_modified_just_before_it_was_read_is_read_again(tmp_path: Path) -> None:
    """Its time may not tell a later edit in the same clock tick apart (git's racy entries):
    it is read again, and trusted once it was read well after its last change."""
    paths, db = _corpus(tmp_path), tmp_path / "w.duckdb"
    fresh = paths[0]
    os.utime(fresh)  # modified now
    ingest_stream(db, paths, workers=0)

    def read_at() -> int:
        with connect(db, read_only=True) as con:
            q = "SELECT read_at_ns FROM local_file WHERE uri = ?"
            return con.execute(q, [str(fresh.resolve())]).fetchone()[0]

    before = read_at()
    got = ingest_stream(db, paths, workers=0)
    assert (got["inputs"], got["skipped"]) == (0, 3)  # read again; the same bytes: not parsed
    assert read_at() > before
    with connect(db) as con:  # as if that read had happened 3 s later than the change
        con.execute("UPDATE local_file SET read_at_ns = mtime_ns + 3 * 10 ** 9")
    again = read_at()
    ingest_stream(db, paths, workers=0)
    assert read_at() == again  # not read


def test_a_file_that_did_not_load_is_read_again(tmp_path: Path) -> None:
    """Only bytes that were parsed and loaded make a file known: a file staged by a run that
    then failed (raw_item.parsed_sha256 not set) is read and parsed next run."""
    paths, db = _corpus(tmp_path), tmp_path / "w.duckdb"
    ingest_stream(db, paths, workers=0)
    with connect(db) as con:
        con.execute(
            "UPDATE raw_item SET parsed_sha256 = NULL WHERE uri = ?", [str(paths[0].resolve())]
        )
    got = ingest_stream(db, paths, workers=0)
    assert (got["inputs"], got["skipped"]) == (1, 2)


def test_stat_files_resolve_as_the_raw_layer_names_files(tmp_path: Path, monkeypatch) -> None:
    paths = _corpus(tmp_path)
    link = tmp_path / "link.txt"
    link.symlink_to(paths[0])
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    relative = [Path("..") / "in" / p.name for p in paths] + [Path("../link.txt")]
    stats = stat_files(relative)
    assert [s.uri for s in stats] == [str(p.resolve()) for p in relative]
    assert stats[-1].uri == str(paths[0].resolve())  # a link is its target
    assert stats[-1].inode == paths[0].stat().st_ino
    with pytest.raises(FileNotFoundError, match=r"missing\.txt: no such file"):
        stat_files([Path("../in/missing.txt")])
    with pytest.raises(FileNotFoundError, match="not a file"):
        stat_files([Path("..")])
