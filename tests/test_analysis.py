"""Analysis views, issuer normalisation and the example queries, on a warehouse loaded from the seeds.

Answers are read from the seed texts by hand: the Liangshan issue (2020年4月) publishes
凉府办函〔2020〕1号, 11号, 12号 and 18号; 凉府办发〔2020〕20号 is the portal page of 2020-06-19.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.steps import load_outcomes, parse_one, stage_items
from sources.local import read_file
from warehouse.db import connect, frame
from warehouse.issuers import canonical_name, load_rules, name_info, refresh_issuers, series_level

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

# A tiny gazette issue that republishes the portal's 凉府办发〔2020〕20号 and adds one document
# printed with the short issuer name 州政府办公室 that cites 国办发〔2019〕54号 (also cited by
# 凉府办函〔2020〕18号 in the April issue) and 凉府办函〔2020〕11号.
SYNTHETIC_ISSUE = """凉山州人民政府公报

发行日期: 2020年7月

目 录

主动公开文件

- 2 凉山州人民政府办公室 关于印发2020年州政府工作报告重点任务分工方案的通知（凉府办发〔2020〕20号）
- 5 州政府办公室 关于做好2020年政务公开工作的通知（凉府办函〔2020〕30号）

凉山州人民政府办公室
关于印发2020年州政府工作报告重点任务分工方案的通知

凉府办发〔2020〕20号

各县(市)人民政府,州级有关部门:

州十一届人民代表大会第五次会议批准的《政府工作报告》,明确了2020年全州经济社会发展预期目标和重点任务。现将分工方案印发给你们,请认真贯彻执行。

凉山州人民政府办公室

2020年6月16日

州政府办公室
关于做好2020年政务公开工作的通知

凉府办函〔2020〕30号

各县(市)人民政府,州级有关部门:

为贯彻落实《国务院办公厅关于印发2019年政务公开工作要点的通知》(国办发〔2019〕54号)和《凉山州人民政府办公室关于成立健康凉山行动推进委员会的通知》(凉府办函〔2020〕11号)精神,现就做好2020年政务公开工作通知如下。

一、加强组织领导。各县(市)要明确分管领导。

州政府办公室

2020年7月1日
"""


def load_files(db_path: Path, paths: list[Path]) -> None:
    """Stage, parse and load files the way the ingest flow does, then refresh issuers."""
    items = [read_file(p) for p in paths]
    with connect(db_path) as con:
        refs = stage_items(con, items)
        load_outcomes(con, [parse_one(r, it.content) for r, it in zip(refs, items, strict=True)])
        refresh_issuers(con)


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three seeds, loaded once."""
    db = tmp_path_factory.mktemp("seeds") / "warehouse.duckdb"
    load_files(db, sorted(SEEDS.glob("*.txt")))
    return db


@pytest.fixture(scope="session")
def with_synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus the synthetic July issue."""
    tmp = tmp_path_factory.mktemp("synthetic")
    issue = tmp / "liangshan_gazette_2020-07.txt"
    issue.write_text(SYNTHETIC_ISSUE, encoding="utf-8")
    db = tmp / "warehouse.duckdb"
    load_files(db, [*sorted(SEEDS.glob("*.txt")), issue])
    return db


def one(con, sql: str, params: list | None = None):  # noqa: ANN001, ANN201
    return con.execute(sql, params or []).fetchall()


# ------------------------------------------------------------------ rules (no warehouse)


def test_short_forms_take_the_region_of_their_context() -> None:
    rules = load_rules()
    assert canonical_name("州政府办公室", {"市州": "凉山州"}, rules) == (
        "凉山州人民政府办公室",
        "short_form",
        "凉山州",
    )
    assert canonical_name("省政府办公厅", {"省": "江西省"}, rules)[0] == "江西省人民政府办公厅"
    assert canonical_name("凉山州政府办公室", {}, rules)[:2] == ("凉山州人民政府办公室", "synonym")
    assert canonical_name("州政府办公室", {}, rules)[1] == "as_printed"  # no context: left alone
    assert canonical_name("市场监管总局", {"市州": "攀枝花市"}, rules)[0] == "市场监管总局"


def test_levels_and_regions_from_names() -> None:
    rules = load_rules()
    assert (
        name_info("国家税务总局凉山州税务局", rules).region,
        name_info("国家税务总局凉山州税务局", rules).level,
    ) == ("凉山州", "市州")
    assert name_info("凉山彝族自治州人民政府", rules).region == "凉山州"
    assert name_info("四川省人民政府办公厅", rules).level == "省"
    assert name_info("国务院办公厅", rules).level == "国务院"
    assert name_info("财政部", rules).level == "部委"
    assert name_info("凉山州西昌市人民政府", rules).level == "县"
    assert series_level("国办发", rules, {})[0] == "国务院"
    assert series_level("川府发", rules, {})[:2] == ("省", "四川省")
    assert series_level("凉人社发", rules, {"凉": ("市州", "凉山州")})[:2] == ("市州", "凉山州")


# ------------------------------------------------------------------ warehouse answers


def test_series_coverage_of_liangshan_letters_2020(seeds_db: Path) -> None:
    with connect(seeds_db, read_only=True) as con:
        row = one(
            con,
            "SELECT max_serial, n_published, est_unpublished, serials FROM series_coverage WHERE series = '凉府办函' AND doc_year = 2020",
        )
    assert row == [(18, 4, 14, [1, 11, 12, 18])]


def test_issuers_have_levels_and_regions(seeds_db: Path) -> None:
    with connect(seeds_db, read_only=True) as con:
        rows = dict(
            ((n, (lvl, r)) for n, lvl, r in one(con, "SELECT name, level, region FROM dim_issuer"))
        )
        series = dict(((s, lvl) for s, lvl in one(con, "SELECT series, level FROM dim_series")))
    assert rows["凉山州人民政府办公室"] == ("市州", "凉山州")
    assert rows["四川省人民政府办公厅"] == ("省", "四川省")
    assert rows["攀枝花市人民政府"] == ("市州", "攀枝花市")
    assert series["国办发"] == "国务院"  # only cited in the seeds: level from the series rule
    assert series["川办发"] == "省"


def test_refresh_is_idempotent(seeds_db: Path) -> None:
    with connect(seeds_db) as con:
        before = [
            one(con, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("dim_issuer", "issuer_alias", "document_issuer_canonical", "dim_series")
        ]
        n = refresh_issuers(con)
        after = [
            one(con, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("dim_issuer", "issuer_alias", "document_issuer_canonical", "dim_series")
        ]
    assert before == after
    assert n == 9  # 凉山州×5 bodies, 四川省×2, 攀枝花市×2


def test_same_document_in_two_sources_is_one_row(with_synthetic_db: Path) -> None:
    with connect(with_synthetic_db, read_only=True) as con:
        rows = one(
            con,
            "SELECT n_appearances, signed_date FROM documents WHERE doc_number = '凉府办发〔2020〕20号'",
        )
        apps = one(
            con,
            "SELECT count(*), count(issue_id) FROM fact_document_appearance a JOIN fact_document d USING (document_id) WHERE d.doc_number = '凉府办发〔2020〕20号'",
        )
    assert [(r[0], str(r[1])) for r in rows] == [(2, "2020-06-16")]
    assert apps == [(2, 1)]  # the portal page and the July gazette issue


def test_short_issuer_name_resolves_to_liangshan_office(with_synthetic_db: Path) -> None:
    with connect(with_synthetic_db, read_only=True) as con:
        row = one(
            con,
            """SELECT p.name, c.name, dic.rule FROM fact_document d
               JOIN document_issuer_canonical dic USING (document_id)
               JOIN dim_issuer p ON p.issuer_id = dic.printed_issuer_id
               JOIN dim_issuer c ON c.issuer_id = dic.issuer_id
               WHERE d.doc_number = '凉府办函〔2020〕30号'""",
        )
        alias = one(con, "SELECT alias, region, rule FROM issuer_alias")
        by_issuer = one(
            con,
            "SELECT sum(n_documents) FROM issuance_by_issuer_month WHERE issuer = '凉山州人民政府办公室' AND month = DATE '2020-07-01'",
        )
    assert row == [("州政府办公室", "凉山州人民政府办公室", "short_form")]
    assert ("州政府办公室", "凉山州", "short_form") in alias
    assert by_issuer == [(1,)]


def test_document_cited_by_two_others(with_synthetic_db: Path) -> None:
    with connect(with_synthetic_db, read_only=True) as con:
        cited = one(
            con,
            "SELECT n_citing_documents, cited_level, list_sort(citing_doc_numbers) FROM most_cited WHERE cited_doc_number = '国办发〔2019〕54号'",
        )
        loaded = one(
            con,
            "SELECT cited_document_id IS NOT NULL, cited_level FROM citation_links WHERE cited_doc_number = '凉府办函〔2020〕11号'",
        )
        graph = dict(((a, b), n) for a, b, n, _ in one(con, "SELECT * FROM citation_level_graph"))
    assert cited == [(2, "国务院", ["凉府办函〔2020〕18号", "凉府办函〔2020〕30号"])]
    assert loaded == [(True, "市州")]  # resolves to the loaded April document
    assert (
        graph[("市州", "国务院")] >= 4
    )  # 国发〔2019〕13号, 国办发〔2019〕54号 ×2, 国办公开办函〔2019〕61号


def test_publication_lag_from_gazette_and_portal(with_synthetic_db: Path) -> None:
    with connect(with_synthetic_db, read_only=True) as con:
        lags = sorted(
            one(
                con,
                "SELECT channel, lag_days FROM publication_lag WHERE doc_number = '凉府办发〔2020〕20号'",
            )
        )
        letter = one(
            con, "SELECT lag_days FROM publication_lag WHERE doc_number = '凉府办函〔2020〕1号'"
        )
    assert lags == [
        ("gazette", 15),
        ("portal", 3),
    ]  # signed 06-16; portal 06-19; July issue from 07-01
    assert letter == [(84,)]  # signed 2020-01-08, April issue


def test_appointments_and_tasks_get_regions(seeds_db: Path) -> None:
    with connect(seeds_db, read_only=True) as con:
        appts = one(
            con,
            "SELECT n_appointed, n_removed FROM appointments_by_organisation WHERE organisation = '凉山州中西医结合医院'",
        )
        removed = one(
            con,
            "SELECT n_removed, month FROM appointments_by_organisation WHERE organisation = '攀枝花市住房和城乡建设局'",
        )
        units = {u for (u,) in one(con, "SELECT unit FROM task_load_by_unit")}
    assert appts == [(2, 0)]  # 张学东 院长, 陈勇 副院长
    assert [(n, str(m)) for n, m in removed] == [(1, "2018-11-01")]  # 卢海滨, 攀府人〔2018〕10号
    assert "凉山州财政局" in units and "州财政局" not in units


# ------------------------------------------------------------------ docs/queries.md


def example_queries() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    return re.findall(r"^## (.+?)\n.*?```sql\n(.*?)```", text, flags=re.S | re.M)


def test_there_are_ten_example_queries() -> None:
    queries = example_queries()
    assert len(queries) == 10
    assert all(q.strip().endswith("?") for q, _ in queries)


def test_every_example_query_runs(with_synthetic_db: Path) -> None:
    results = {}
    with connect(with_synthetic_db, read_only=True) as con:
        for question, sql in example_queries():
            results[question] = frame(con, sql)
    assert all(df.height > 0 for df in results.values()), [
        q for q, df in results.items() if df.height == 0
    ]
    top = results["1. Which bodies issue the most documents, and at what level?"].row(0, named=True)
    assert (top["issuer"], top["level"]) == ("凉山州人民政府办公室", "市州")
    twice = results[
        "10. Which documents were published in more than one place (gazette and portal), and where?"
    ]
    assert twice["doc_number"].to_list() == ["凉府办发〔2020〕20号"]


def _read_regions_reference(text: str, rules) -> dict[str, str]:  # noqa: ANN001
    """read_regions as first written (every province name tried in turn), the reference."""
    from warehouse.issuers import short_region

    rest = text
    for prefix in rules.branch_prefixes:
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    found: dict[str, str] = {}
    for prov in rules.province_names:
        if rest.startswith(prov):
            found["省"] = prov
            rest = rest[len(prov) :]
            break
    while rest:
        m = rules.region_re.match(rest)
        if not m:
            break
        level = dict(rules.suffixes)[m.group(2)]
        if level == "省":
            if "省" in found:
                break
        elif level == "市州" and ("市州" in found or "县" in found):
            level = "县"
        if level in found:
            break
        found[level] = short_region(m.group(0), rules)
        rest = rest[m.end() :]
    return found


def test_read_regions_finds_what_trying_every_province_found() -> None:
    """Province names looked up by length (and the result cached) read the same regions as
    testing every name in turn, on every line of the seeds and on names that nest regions."""
    from warehouse.issuers import read_regions

    rules = load_rules()
    texts = [
        "凉山州西昌市人民政府", "四川省凉山彝族自治州人民政府", "内蒙古自治区人民政府",
        "新疆维吾尔自治区乌鲁木齐市", "黑龙江省哈尔滨市", "广西壮族自治区南宁市", "四川省四川省",
        "国务院办公厅", "", "省政府", "攀枝花市人民政府办公室", "中共凉山州委办公室",
    ]  # fmt: skip
    for seed in sorted(SEEDS.glob("*.txt")):
        texts += [line.strip() for line in seed.read_text(encoding="utf-8").splitlines()]
    for text in texts:
        assert read_regions(text, rules) == _read_regions_reference(text, rules), text
    assert read_regions("凉山州西昌市人民政府", rules) == {"市州": "凉山州", "县": "西昌市"}
