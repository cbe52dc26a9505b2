"""Dates in the forms the seeds print them."""

from __future__ import annotations

import datetime as dt

from transforms.dates import cn_to_int, find_dates, is_date_line, parse_date


def test_written_forms() -> None:
    assert parse_date("二〇〇四年六月二十六日") == dt.date(2004, 6, 26)
    assert parse_date("2020 年 3 月 16 日") == dt.date(2020, 3, 16)
    assert parse_date("成文日期:2020-06-16") == dt.date(2020, 6, 16)
    assert parse_date("2020年2月30日") is None


def test_chinese_numerals() -> None:
    assert cn_to_int("十二") == 12
    assert cn_to_int("二十六") == 26
    assert cn_to_int("二〇二〇") == 2020


def test_date_lines() -> None:
    assert is_date_line("(2020年1月31日)")
    assert not is_date_line("经 2018 年 10 月 31 日市政府第 45 次常务会议")
    assert [d for _, d in find_dates("免去: 2018 年 11 月 2 日")] == [dt.date(2018, 11, 2)]
