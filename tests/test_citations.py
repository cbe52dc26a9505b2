"""Citations: document numbers cited in bodies, lists expanded, own number excluded.

Expected numbers were read by hand from ../shared/seeds (grep for the bracketed year).
"""

from __future__ import annotations

import json

from conftest import GOLD, SAMPLES, SEEDS

from transforms.citations import extract_citations


def _numbers(body: str, own: str | None = None) -> list[str]:
    return [c["cited_doc_number"] for c in extract_citations(body, own)]


def _lines(name: str, start: int, end: int | None = None) -> str:
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[start - 1 : end])


def test_personnel_document_cites_three_numbers() -> None:
    body = _lines("liangshan_gazette_2020-04.txt", 699)
    assert _numbers(body) == ["凉府人〔2020〕1号", "凉府人〔2020〕3号", "凉府人〔2020〕4号"]
    rows = extract_citations(body)
    assert rows[1] == {
        "cited_doc_number": "凉府人〔2020〕3号",
        "series": "凉府人",
        "doc_year": 2020,
        "serial": 3,
    }


def test_own_number_and_duplicates_are_left_out() -> None:
    body = _lines("liangshan_gazette_2020-04.txt", 640, 697)  # 凉医保规〔2020〕1号 and its body
    assert _numbers(body, "凉医保规〔2020〕1 号") == ["川医保规〔2020〕1号", "凉人社发〔2020〕10号"]


def test_series_boundary_in_running_text() -> None:
    assert _numbers("…州人力资源和社会保障局等四部门凉人社发〔2020〕10 号文继续执行。") == [
        "凉人社发〔2020〕10号"
    ]
    assert _numbers("凉山州人民政府印发凉府人〔2020〕1号文件") == ["凉府人〔2020〕1号"]


def test_brackets_orders_and_line_breaks() -> None:
    body = (
        "根据《意见》(川府发[2018]7号)、《通知》（国办发（2018）45号）和《条例》(国令第707号)，"
        "按照凉府办发〔2020〕\n5号和省政府办公厅转发\n川办函〔2020〕8号的要求。"
    )
    assert _numbers(body) == [
        "川府发〔2018〕7号",
        "国办发〔2018〕45号",
        "国令第707号",
        "凉府办发〔2020〕5号",
        "川办函〔2020〕8号",
    ]


def test_title_line_is_not_glued_to_the_number_below() -> None:
    body = "凉山州春雷行动领导小组 关于印发凉山州“春雷行动2020”暨知识产权保护执法行动方案的通知\n凉春雷发〔2020〕1号"
    assert _numbers(body) == ["凉春雷发〔2020〕1号"]


def test_seed_citations_match_gold_per_document() -> None:
    """Every number the Panzhihua issue cites, in the bodies where the gold puts them."""
    gold = json.loads((GOLD / "panzhihua_gazette_2018-12.json").read_text(encoding="utf-8"))
    want = {g["cited_doc_number"] for g in gold["citations"]}
    text = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    body = text[text.index("各市(州)人民政府,省政府各部门") :]  # past the table of contents
    own = {"川府发〔2018〕42号", "川办发〔2018〕85号", "川办发〔2018〕86号", "川办发〔2018〕87号"}
    own |= {
        "攀府发〔2018〕18号",
        "攀办发〔2018〕144号",
        "攀办发〔2018〕145号",
        "攀府人〔2018〕10号",
    }
    got = set(_numbers(body)) - own
    assert got == want
    assert len(want) == 10


def _page_text(relative: str) -> str:
    """The visible text of a saved portal page (BeautifulSoup, as a reader sees it)."""
    from bs4 import BeautifulSoup

    raw = (SAMPLES / relative).read_bytes()
    return BeautifulSoup(raw, "lxml").get_text("\n")


def test_order_numbers_glued_to_the_state_name_or_a_date_start_at_the_issuer() -> None:
    # gov.cn: "（1994年1月28日中华人民共和国国务院令第142号发布 … 2018年12月18日中华人民共和国
    # 国务院令第707号第四次修订）" and the metadata cell "国令第707号": one series, 国令.
    assert _numbers(_page_text("govcn/row33_guoling707.html")) == ["国令第707号", "国令第142号"]
    # jiangxi: "(2011年8月26日省人民政府令第190号公布 2016年9月21日省人民政府令第223号修正)",
    # "１９９８年２月１０日省人民政府令第６６号发布、２００４年６月３０日省人民政府令第１３４号修正".
    found = _numbers(_page_text("jiangxi/art_4975_1566875.html"))
    assert "省人民政府令第190号" in found
    assert "省人民政府令第66号" in found
    assert "省人民政府令第134号" in found
    assert not [n for n in found if n.startswith(("日", "国国"))]


def test_order_series_maps_printed_issuers_and_keeps_city_names() -> None:
    assert _numbers("根据中华人民共和国国务院令第588号") == ["国令第588号"]
    assert _numbers("依据国务院令第588号和中华人民共和国财政部令第41号") == [
        "国令第588号",
        "财政部令第41号",
    ]
    assert _numbers("二〇一一年八月二十六日省人民政府令第190号公布") == ["省人民政府令第190号"]
    # 日 of 日照市 is a city's name, not a date's unit.
    assert _numbers("依照日照市人民政府令第5号") == ["日照市人民政府令第5号"]


def test_citation_cue_agrees_with_the_single_alternation() -> None:
    import re

    from transforms.citations import _CUES, _YEAR_CLOSE

    reference = re.compile(rf"19{_YEAR_CLOSE}|20{_YEAR_CLOSE}|令\s*第")
    samples = ["", "2020〕", "20 2 0 〕", "19\n9 9)", "2020年", "令 第", "令\n第", "令第", "1920"]
    samples += ["（2020）", "[2019]", "20201〕", "第令"]
    for path in sorted(SEEDS.glob("*.txt")) + sorted((GOLD / "heldout").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        samples += text.split("\n") + [text[i : i + 500] for i in range(0, len(text), 500)]
    assert sum(bool(reference.search(s)) for s in samples) > 20  # both kinds occur
    for s in samples:
        assert any(rx.search(s) for rx in _CUES) == bool(reference.search(s)), s
