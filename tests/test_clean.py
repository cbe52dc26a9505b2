"""Repairs of PDF-to-text damage, on lines taken from the seeds and on small literals."""

from __future__ import annotations

from pathlib import Path

from transforms.clean import (
    clean_lines,
    collapse_number_spaces,
    drop_noise,
    is_issuer_line,
    join_paragraphs,
    normalise_line,
    overlap_join,
    recover_columns,
)
from transforms.gazette import parse_gazette_text
from transforms.rules import load_rules

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
RULES = load_rules(None)


def test_numbers_and_punctuation_are_normalised():
    assert normalise_line("凉医保规〔2020〕1 号") == "凉医保规〔2020〕1号"
    assert normalise_line("2023 年 1 月 3 日") == "2023年1月3日"
    assert normalise_line("第 12 期 (总第 250 期)") == "第12期 （总第250期）"
    assert normalise_line("各县(市)人民政府,州级各部门:") == "各县（市）人民政府，州级各部门："
    assert normalise_line("（一） 高质量完成国家试点任务。") == "（一）高质量完成国家试点任务。"
    assert normalise_line("攀办发〔２０１８〕１４５ 号") == "攀办发〔2018〕145号"
    # Spaces between Chinese words are kept (issuer / title, columns), and so are tabs.
    assert collapse_number_spaces("四川省人民政府 关于印发") == "四川省人民政府 关于印发"
    assert normalise_line("7\t月华发布") == "7\t月华发布"
    # A table-of-contents page number stays apart from the title.
    assert normalise_line("- 20 1—2月人事任免") == "- 20 1—2月人事任免"
    # URLs and phone numbers keep their ASCII punctuation.
    assert normalise_line("电 话: 0834-3865368") == "电 话： 0834-3865368"
    assert normalise_line("<http://www.lsz.gov.cn/>") == "<http://www.lsz.gov.cn/>"


def test_page_furniture_is_dropped():
    lines = [
        "正文第一行",
        "- 12 -",
        "— 7 —",
        "·3·",
        "36",
        "第3页 共20页",
        "攀枝花市人民政府公报 2018年第12期",
        "宜宾市人民政府公报  2020年第3期",
        "15 宜宾市人民政府公报",
        "PANZHIHUASHI RENMINZHENGFU GONGBAO",
        "凉山州人民政府办公室",
    ]
    out = drop_noise(lines, RULES)
    assert out[0] == "正文第一行" and out[-1] == "凉山州人民政府办公室"
    assert out[1:-1] == [""] * (len(lines) - 2)


def test_broken_lines_are_joined_but_headings_and_signatures_are_not():
    lines = [
        "王启萍同志为州第二人民医院副院长(试用",
        "",
        "期一年);",
        "",
        "二要压紧压实全员责任。县委、县政府主要",
        "",
        "领导是本县脱贫攻坚的总指挥。",
        "一、把脱贫攻坚责任再压实",
        "要结合州上即将印发的工作方案要求。",
        "凉山州人民政府办公室",
        "2020年2月3日",
        "序号\t名称",
        "1\t裕隆发布",
        "填报单位： 填报人：",
    ]
    out = join_paragraphs([normalise_line(x) for x in lines], RULES)
    assert out == [
        "王启萍同志为州第二人民医院副院长（试用期一年）；",
        "二要压紧压实全员责任。县委、县政府主要领导是本县脱贫攻坚的总指挥。",
        "一、把脱贫攻坚责任再压实",
        "要结合州上即将印发的工作方案要求。",
        "凉山州人民政府办公室",
        "2020年2月3日",
        "序号\t名称",
        "1\t裕隆发布",
        "填报单位：填报人：",
    ]


def test_two_column_block_of_panzhihua_is_recovered():
    text = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    tail = text.rstrip("\n").split("\n")[-4:]
    assert tail[0].endswith("卢海滨的攀枝花市住房和城乡建设局副局长")  # interleaved as printed
    out = [x for x in recover_columns(tail, RULES) if x]
    assert out == [
        "各县(区)人民政府,市级各部门,各企事业单位:",
        "经2018年10月31日市政府第45次常务会议研究决定:",
        "免去:",
        "卢海滨的攀枝花市住房和城乡建设局副局长职务。",
        "攀枝花市人民政府",
        "2018年11月2日",
    ]


def test_member_lists_are_not_mistaken_for_columns():
    lines = [
        "成员:冯 成 州法院副院长",
        "包晓华 州教育体育局副局长",
        "袁恩远 州科技局副局长",
        "俞明刚 州公安局副局长",
        "丁四海 州市场监管局副局长",
    ]
    assert recover_columns(lines, RULES) == lines


def test_overlap_at_a_break_is_dropped():
    assert (
        overlap_join("暨知识产权保护", "保护执法行动方案", min_overlap=2)
        == "暨知识产权保护执法行动方案"
    )
    assert overlap_join("人人", "有责", min_overlap=2) == "人人有责"


def test_issuer_lines():
    assert is_issuer_line("凉山州医疗保障局 凉山州财政局", RULES)
    assert is_issuer_line("凉山州春雷行动领导小组(代章)", RULES)
    assert not is_issuer_line("各县(市)人民政府:", RULES)
    assert not is_issuer_line("关于印发促进返乡下乡创业二十二条措施的通知", RULES)


def test_clean_lines_on_seed_keeps_toc_and_headers():
    text = (SEEDS / "liangshan_gazette_2020-04.txt").read_text(encoding="utf-8")
    lines = clean_lines(text, RULES)
    assert "凉府办函〔2020〕12号" not in lines  # printed with [ ]: normalised by the header reader
    assert "凉府办函[2020]12号" in lines
    assert "凉医保规〔2020〕1号" in lines  # printed 1 号
    assert "2020年3月16日" in lines  # printed 2020 年 3 月 16 日


def test_text_spaced_out_character_by_character_is_closed_up():
    """Justified PDF text extracts as 川 府 发〔2018〕42 号: closed up; a real separator stays."""
    from transforms.clean import collapse_spaced_cjk

    assert collapse_spaced_cjk("川 府 发〔2018〕42 号") == "川府发〔2018〕42 号"
    assert (
        collapse_spaced_cjk("交 通 运 输 部　　国 家 发 展 改 革 委") == "交通运输部 国家发展改革委"
    )
    assert (
        collapse_spaced_cjk("凉 山 州 医 疗 保 障 局  凉 山 州 财 政 局")
        == "凉山州医疗保障局 凉山州财政局"
    )
    # Ordinary lines keep their spaces: issuer / title, name / post, two columns.
    for line in (
        "四川省人民政府 关于印发促进返乡下乡创业二十二条措施的通知",
        "王 涛 州发展改革委副主任",
        "研究决定: 攀枝花市人民政府",
    ):
        assert collapse_spaced_cjk(line) == line


def test_a_spaced_out_issue_keeps_its_numbers():
    import re

    text = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    spaced = re.sub(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])", r"\1 ", text)
    numbers = parse_gazette_text(spaced).documents["doc_number"].to_list()
    assert numbers == parse_gazette_text(text).documents["doc_number"].to_list()
    assert "川府发〔2018〕42号" in numbers


def test_punctuation_repairs_keep_their_edge_cases():
    """Half-width marks outside Chinese text stay, nested pairs keep their outer half, lone
    halves follow their neighbour (figures from the per-match implementation they replace)."""
    from transforms.clean import normalise_punct

    cases = {
        "1,000 元,共计 3 项:a;b": "1,000 元，共计 3 项：a;b",
        "((a))与(一)(二)": "((a))与（一）（二）",
        "(abc)中 (x) 中(": "（abc）中 (x) 中(",
        "）文) a) (1,2)": "）文） a) (1,2)",
        "Hi, there! 中?": "Hi, there! 中？",
        "，,": "，,",
    }
    for line, want in cases.items():
        assert normalise_punct(line) == want
        assert normalise_punct(want) == want  # already repaired text is left alone


def test_width_repair_and_conform_shortcut():
    import polars as pl

    from transforms.clean import normalise_width
    from transforms.model import DOCUMENT_SCHEMA, conform, empty

    assert normalise_width("２０２０年\u3000第\u200b５号\u00a0 ") == "2020年 第5号"
    frame = empty(DOCUMENT_SCHEMA)
    assert conform(frame, DOCUMENT_SCHEMA) is frame  # already conformed: returned as it is
    other = pl.DataFrame({"seq": [1], "title": ["x"]})
    assert conform(other, DOCUMENT_SCHEMA).schema == DOCUMENT_SCHEMA


def test_conform_shortcut_needs_the_same_names_order_and_types():
    import polars as pl

    from transforms.model import TASK_SCHEMA, conform

    row = {"seq": [1], "task_no": [2], "task": ["t"], "unit": ["u"], "role": ["r"]}
    exact = pl.DataFrame(row, schema=TASK_SCHEMA)
    assert conform(exact, TASK_SCHEMA) is exact
    wider = pl.DataFrame(row)  # the same names, Int64 where the contract says Int32
    assert conform(wider, TASK_SCHEMA).schema == TASK_SCHEMA
    shuffled = exact.select("task", "seq", "task_no", "unit", "role")
    assert conform(shuffled, TASK_SCHEMA).columns == list(TASK_SCHEMA)
    renamed = exact.rename({"role": "kind"})
    assert conform(renamed, TASK_SCHEMA)["role"].to_list() == [None]
