"""Document numbers: find, normalise, parse (forms read from the seeds and portal samples)."""

from __future__ import annotations

from transforms.numbers import DocNumber, find_doc_numbers, normalize_doc_number, parse_doc_number


def test_list_is_expanded() -> None:
    assert [n.text for n in find_doc_numbers("凉府人〔2020〕1、3、4号")] == [
        "凉府人〔2020〕1号",
        "凉府人〔2020〕3号",
        "凉府人〔2020〕4号",
    ]


def test_normal_form_of_spaced_and_bracketed_numbers() -> None:
    assert normalize_doc_number("凉府办发〔2020〕5 号") == "凉府办发〔2020〕5号"
    assert normalize_doc_number("凉府办函[2020]12号") == "凉府办函〔2020〕12号"
    assert normalize_doc_number("川府发（2018）42号") == "川府发〔2018〕42号"
    assert normalize_doc_number("国办发明电〔2018〕15号") == "国办发明电〔2018〕15号"
    assert normalize_doc_number("无") is None


def test_orders_have_no_year() -> None:
    assert parse_doc_number("国令第707号") == DocNumber("国令", None, 707)
    assert parse_doc_number("省政府令第223号").text == "省政府令第223号"


def test_running_text_is_cut_from_the_series() -> None:
    assert [n.series for n in find_doc_numbers("凉山州人民政府印发凉府人〔2020〕1号文件")] == [
        "凉府人"
    ]


def test_numbers_counted_within_a_year():
    """Announcements and ministerial orders are numbered per year: 财政部公告2021年第8号."""
    from transforms.numbers import find_doc_numbers, normalize_doc_number, parse_doc_number

    n = parse_doc_number("财政部 税务总局公告2021年第8号")
    assert (n.series, n.year, n.serial, n.text) == (
        "财政部税务总局公告",
        2021,
        8,
        "财政部税务总局公告2021年第8号",
    )
    text = "根据财政部公告2021年第8号和交通运输部令2020年第5号，国家税务总局公告2019年第1、2号同时废止。"
    assert [x.text for x in find_doc_numbers(text)] == [
        "财政部公告2021年第8号", "交通运输部令2020年第5号", "国家税务总局公告2019年第1号", "国家税务总局公告2019年第2号",
    ]  # fmt: skip
    assert normalize_doc_number("2021年第9号（总号：1730）") is None  # a gazette's own issue number


def test_bracketed_years_are_the_matches_of_the_single_pattern() -> None:
    import re
    from pathlib import Path

    from transforms.numbers import CLOSE, OPEN, _year_anchors

    reference = re.compile(rf"[{re.escape(OPEN)}]\s*(?:19|20)\s*\d\s*\d\s*[{re.escape(CLOSE)}]")
    samples = [
        "",
        "〔2020〕",
        "〔 2 0 2 0 〕",
        "（\u30002019）",
        "(\n1999)",
        "〔〔2020〕",
        "2020〕",
    ]
    samples += [
        "〔2020年〕",
        "〔20201〕",
        "〔192020〕",
        "x〔2020〕y（2019）z[2021]",
        "﹝2020﹞〖2019〗",
    ]
    samples += ["〔2020〕〔2021〕", "(19 9 9 ]", "〔1820〕", "\u3000\u3000（2020）"]
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    gold = Path(__file__).resolve().parent / "gold" / "heldout"
    for path in sorted(shared.glob("*.txt")) + sorted(gold.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        samples += [text, *text.split("\n")]
    assert sum(bool(reference.search(s)) for s in samples) > 20
    for s in samples:
        assert _year_anchors(s) == [m.span() for m in reference.finditer(s)], s
