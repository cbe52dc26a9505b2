"""Document keys and content hashes: stable across versions of the code.

``content_sha256`` is stored in every warehouse; a change to how it is computed would mark every
document as republished on the next run. These tests hold the Python implementation to the
polars expression it replaced (the reference below) on real seed documents and on edge cases.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest
from conftest import SEEDS

from transforms.dispatch import parse_input
from transforms.portal import parse_portal_text
from warehouse.keys import document_keys


def _reference_content_hashes(docs: pl.DataFrame) -> list[str]:
    """The content hash as first computed: polars' concat_str, with its (Rust) regex ``\\s``."""
    content = docs.select(
        pl.concat_str(
            [
                pl.col("title").fill_null("").str.replace_all(r"\s+", ""),
                pl.col("doc_number").fill_null(""),
                pl.col("issuers").list.join("、").fill_null(""),
                pl.col("signed_date").cast(pl.Utf8).fill_null(""),
                pl.col("genre").fill_null(""),
                pl.col("body").fill_null("").str.replace_all(r"\s+", ""),
            ],
            separator="\x1f",
        )
    ).to_series()
    return [hashlib.sha256(c.encode()).hexdigest() for c in content]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_content_hashes_match_the_reference_on_the_seeds(seed):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    parsed = (
        parse_portal_text(text)
        if "web" in seed
        else parse_input("gazette_text", uri=seed, text=text)
    )
    docs = parsed.conformed().documents
    assert docs.height > 0
    keys = document_keys(docs, seed)
    assert keys["content_sha256"].to_list() == _reference_content_hashes(docs)
    assert keys["document_id"].n_unique() == docs.height


def test_content_hash_ignores_unicode_whitespace_but_not_separator_controls():
    base = {
        "doc_number": ["凉府办函〔2020〕101号"] * 4,
        "doc_year": [2020] * 4,
        "title": ["关于成立凉山州“春雷行动”领导小组的通知"] * 4,
        "signed_date": [dt.date(2020, 3, 9)] * 4,
        "published_date": [None] * 4,
        "issuers": [["凉山州人民政府办公室", None]] * 4,
        "genre": ["通知"] * 4,
        # ideographic space, no-break space and a line break are whitespace; U+001C is not
        "body": [
            "各县市人民政府",
            "各县市\u3000人民政府",
            "各县\xa0市人民\n政府",
            "各县市\x1c人民政府",
        ],
    }
    docs = pl.DataFrame(base, schema_overrides={"issuers": pl.List(pl.Utf8)})
    hashes = document_keys(docs, "ctx")["content_sha256"].to_list()
    assert hashes == _reference_content_hashes(docs)
    assert hashes[0] == hashes[1] == hashes[2] != hashes[3]
