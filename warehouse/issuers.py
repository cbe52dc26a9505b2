"""Issuer normalisation: one canonical issuer per body, with its level and region.

Documents print the same body in several ways: 凉山州人民政府办公室, 凉山州政府办公室, or just
州政府办公室 on the prefecture's own portal; 省政府办公厅 on a Jiangxi page is 江西省人民政府办公厅.
A short form is only resolvable in its document's context, so the region is read from what the
document itself says (other issuers, title, series prefix, gazette, source) and, failing that,
from the other documents of the same gazette issue or site. The rules are data
(``warehouse/issuers.toml``); :func:`refresh_issuers` recomputes everything from what is loaded,
so it is idempotent and cheap to call after every load batch.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import polars as pl

from warehouse.db import frame

RULES_FILE = Path(__file__).resolve().parent / "issuers.toml"
LEVELS = ("国务院", "部委", "省", "市州", "县")
_CONTEXT_KEYS = {"省": "province", "市州": "prefecture", "县": "county"}


def issuer_id(name: str) -> str:
    """Same id as warehouse.load gives a printed name: md5(name)[:16]."""
    return hashlib.md5(name.encode("utf-8")).hexdigest()[:16]  # noqa: S324 - an id, not security


@dataclass(frozen=True, eq=False)
class Rules:
    """issuers.toml compiled once."""

    provinces: dict[str, str]  # full name -> full name, abbreviation -> full name
    province_names: tuple[str, ...]
    suffixes: tuple[tuple[str, str], ...]
    region_short: re.Pattern
    branch_prefixes: tuple[str, ...]
    level_patterns: tuple[tuple[re.Pattern, str], ...]
    short_forms: tuple[tuple[re.Pattern, str], ...]
    lead_level: dict[str, str]
    synonyms: tuple[tuple[re.Pattern, str], ...]
    series_levels: tuple[tuple[re.Pattern, str], ...]
    region_re: re.Pattern = field(init=False)
    suffix_level: dict[str, str] = field(init=False)
    # Province names grouped by length, longest first: a prefix is looked up once per length
    # instead of tested against every name (54,000 titles at 2,000 issues: 2.1 M startswith).
    provinces_by_length: tuple[tuple[int, frozenset[str]], ...] = field(init=False)

    def __post_init__(self) -> None:
        alts = "|".join(re.escape(s) for s, _ in self.suffixes)
        object.__setattr__(
            self, "region_re", re.compile(rf"^([\u4e00-\u9fff]{{2,6}}?)({alts})(?!长)")
        )
        object.__setattr__(self, "suffix_level", dict(self.suffixes))
        lengths = sorted({len(p) for p in self.province_names}, reverse=True)
        object.__setattr__(
            self,
            "provinces_by_length",
            tuple((n, frozenset(p for p in self.province_names if len(p) == n)) for n in lengths),
        )


@cache
def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read and compile the rules file; a bad pattern fails here naming the file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        abbr = {a: full for full, abbrs in data["provinces"].items() for a in abbrs}
        return Rules(
            provinces={**abbr, **{full: full for full in data["provinces"]}},
            province_names=tuple(sorted(data["provinces"], key=len, reverse=True)),
            suffixes=tuple((r["suffix"], r["level"]) for r in data["region_suffix"]),
            region_short=re.compile(data["region_short"]["pattern"]),
            branch_prefixes=tuple(data["branch_prefixes"]),
            level_patterns=tuple(
                (re.compile(r["pattern"]), r["level"]) for r in data["level_pattern"]
            ),
            short_forms=tuple(
                (re.compile(r["pattern"]), r["template"]) for r in data["short_form"]
            ),
            lead_level=dict(data["lead_level"]),
            synonyms=tuple((re.compile(r["pattern"]), r["replace"]) for r in data["name_synonym"]),
            series_levels=tuple(
                (re.compile(r["pattern"]), r["level"]) for r in data["series_level"]
            ),
        )
    except (KeyError, re.error) as exc:
        raise ValueError(f"{path}: bad issuer rules: {exc}") from exc


@dataclass(frozen=True)
class NameInfo:
    """What a name says by itself."""

    regions: dict[str, str]  # level -> region short name, e.g. {'省': '四川省', '市州': '凉山州'}
    region: str | None  # the innermost region
    region_level: str | None
    level: str | None


def short_region(name: str, rules: Rules) -> str:
    """凉山彝族自治州 -> 凉山州; other names unchanged."""
    m = rules.region_short.match(name)
    return f"{m.group('place')}{m.group('suffix')}" if m else name


def read_regions(text: str, rules: Rules) -> dict[str, str]:
    """Regions a name or title opens with, by level: 凉山州西昌市… -> {市州: 凉山州, 县: 西昌市}."""
    return dict(_read_regions(text, rules))


@lru_cache(maxsize=65536)
def _read_regions(text: str, rules: Rules) -> tuple[tuple[str, str], ...]:
    """:func:`read_regions` as pairs, cached: it reads the issuer part of every title, every
    gazette and site name, and these recur across a warehouse's documents."""
    rest = text
    for prefix in rules.branch_prefixes:
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    found: dict[str, str] = {}
    for n, names in rules.provinces_by_length:  # the longest province name rest starts with
        if rest[:n] in names:
            found["省"] = rest[:n]
            rest = rest[n:]
            break
    while rest:
        m = rules.region_re.match(rest)
        if not m:
            break
        level = rules.suffix_level[m.group(2)]
        if level == "省":
            if "省" in found:
                break
        elif level == "市州" and ("市州" in found or "县" in found):
            level = "县"  # a city inside a prefecture is county level (凉山州西昌市)
        if level in found:
            break
        found[level] = short_region(m.group(0), rules)
        rest = rest[m.end() :]
    return tuple(found.items())


@cache
def name_info(name: str, rules: Rules | None = None) -> NameInfo:
    """Region and level a name states by itself, without any document context."""
    rules = rules or load_rules()
    regions = read_regions(name, rules)
    if regions:
        level = next(lvl for lvl in ("县", "市州", "省") if lvl in regions)
        return NameInfo(regions, regions[level], level, level)
    for pattern, lvl in rules.level_patterns:
        if pattern.search(name):
            return NameInfo({}, None, None, lvl)
    return NameInfo({}, None, None, None)


def apply_synonyms(name: str, rules: Rules) -> str:
    """Spelling variants of a full name to one form: 凉山州政府办公室 -> 凉山州人民政府办公室."""
    for pattern, repl in rules.synonyms:
        name = pattern.sub(repl, name, count=1)
    return name


def canonical_name(
    name: str, context: dict[str, str], rules: Rules | None = None
) -> tuple[str, str, str]:
    """The canonical name of ``name`` in a document whose context regions are ``context``.

    Returns (canonical name, rule, context region used or ''). ``context`` maps a level
    (省, 市州, 县) to a region short name.
    """
    rules = rules or load_rules()
    info = name_info(name, rules)
    if info.regions:
        fixed = apply_synonyms(name, rules)
        return fixed, ("synonym" if fixed != name else "full_name"), ""
    for pattern, template in rules.short_forms:
        m = pattern.match(name)
        if not m:
            continue
        region = context.get(rules.lead_level.get(m.group("lead"), ""))
        if region:
            return template.format(region=region, rest=m.group("rest")), "short_form", region
        break
    return name, "as_printed", ""


def series_level(
    series: str, rules: Rules, learned: dict[str, tuple[str, str]]
) -> tuple[str | None, str | None, str | None]:
    """Guess (level, region, how) for a series no loaded document explains."""
    for pattern, lvl in rules.series_levels[:3]:
        if pattern.search(series):
            return lvl, None, "rule"
    for n in (3, 2, 1):
        prov = rules.provinces.get(series[:n])
        if prov and n <= len(series) - 1:
            return "省", prov, "province_prefix"
    if series[:1] in learned:
        lvl, region = learned[series[:1]]
        return lvl, region, "learned_prefix"
    for pattern, lvl in rules.series_levels[3:]:
        if pattern.search(series):
            return lvl, None, "rule"
    return None, None, None


# ------------------------------------------------------------------------------ refresh


def _majority(values: list[str]) -> str | None:
    """The most common value if it is a strict majority; None on a tie or no values."""
    counts = Counter(v for v in values if v).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def _read_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    return {
        "issuers": frame(
            con,
            """SELECT di.document_id, di.ordinal, i.name FROM document_issuer di
               JOIN dim_issuer i ON i.issuer_id = di.issuer_id ORDER BY di.document_id, di.ordinal""",
        ),
        "docs": frame(
            con, "SELECT document_id, coalesce(title, '') AS title, series FROM fact_document"
        ),
        "appear": frame(
            con,
            """SELECT a.document_id, g.gazette, s.name AS source_name,
                      coalesce(a.issue_id, CASE WHEN s.source_id IS NOT NULL THEN 's:' || a.source_id END, a.raw_id) AS pool
               FROM fact_document_appearance a
               LEFT JOIN dim_gazette_issue g ON g.issue_id = a.issue_id
               LEFT JOIN dim_source s ON s.source_id = a.source_id""",
        ),
        "meta": frame(
            con,
            """SELECT m.document_id, m.value FROM document_metadata m
               WHERE m.key IN ('发文机关', '发布机构', '发文单位', '发布机关') AND m.value IS NOT NULL""",
        ),
        "series": frame(
            con,
            """SELECT series, 'document' AS seen_as FROM fact_document WHERE series IS NOT NULL
               UNION SELECT series, 'citation' FROM fact_citation WHERE series IS NOT NULL""",
        ),
    }


def _contexts(
    inp: dict[str, pl.DataFrame], rules: Rules
) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, tuple[str, str]]]:
    """Per document: context regions by level and what gave them (own evidence, then its pool's)."""
    names_by_doc: dict[str, list[str]] = defaultdict(list)
    for doc, _, name in inp["issuers"].iter_rows():
        names_by_doc[doc].append(name)
    own: dict[str, dict[str, str]] = {}
    evidence: dict[str, str] = {}
    # Learned series prefixes: first character of series whose issuers name a region.
    prefix_votes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for doc, title, series in inp["docs"].iter_rows():
        ctx: dict[str, str] = {}
        for name in names_by_doc.get(doc, []):
            for lvl, reg in name_info(name, rules).regions.items():
                ctx.setdefault(lvl, reg)
        if ctx:
            evidence[doc] = "issuer"
            if series:
                inner = next(lvl for lvl in ("县", "市州", "省") if lvl in ctx)
                prefix_votes[series[:1]].append((inner, ctx[inner]))
        for lvl, reg in read_regions(title.split("关于")[0], rules).items():
            if lvl not in ctx:
                ctx[lvl] = reg
                evidence.setdefault(doc, "title")
        own[doc] = ctx
    learned = {p: v for p, votes in prefix_votes.items() if (v := _majority_pair(votes))}
    series_of = dict(inp["docs"].select("document_id", "series").iter_rows())
    for doc, ctx in own.items():
        s = series_of.get(doc)
        if not s:
            continue
        lvl, region, _ = series_level(s, rules, learned)
        if region and lvl in _CONTEXT_KEYS and lvl not in ctx:
            ctx[lvl] = region
            evidence.setdefault(doc, "series")
    pools: dict[str, list[str]] = defaultdict(list)
    for doc, gazette, source_name, pool in inp["appear"].iter_rows():
        ctx = own.setdefault(doc, {})
        for label, text in (("gazette", gazette), ("source", source_name)):
            for lvl, reg in read_regions(text or "", rules).items():
                if lvl not in ctx:
                    ctx[lvl] = reg
                    evidence.setdefault(doc, label)
        pools[pool].append(doc)
    # Fallback: a level still missing is the majority region of that level in the same issue/site.
    filled = {d: dict(c) for d, c in own.items()}
    for docs in pools.values():
        for lvl in _CONTEXT_KEYS:
            region = _majority([own[d].get(lvl) for d in docs if own.get(d)])
            if not region:
                continue
            for d in docs:
                if lvl not in filled[d]:
                    filled[d][lvl] = region
                    evidence.setdefault(d, "issue")
    return filled, evidence, learned


def _majority_pair(votes: list[tuple[str, str]]) -> tuple[str, str] | None:
    counts = Counter(votes).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def resolve(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> dict[str, pl.DataFrame]:
    """Compute (without writing) the canonical bridge, aliases, issuers, contexts and series."""
    rules = rules or load_rules()
    inp = _read_inputs(con)
    contexts, evidence, learned = _contexts(inp, rules)
    # Aliases the publishers state themselves: a page's 发文机关 label printed as a short form
    # that no rule resolves, next to a single issuer read from the title.
    single = (
        inp["issuers"]
        .group_by("document_id")
        .agg(pl.col("name").first(), pl.len().alias("n"))
        .filter(pl.col("n") == 1)
    )
    meta_alias: dict[tuple[str, str], str] = {}
    single_name = dict(single.select("document_id", "name").iter_rows())
    for doc, printed in (
        inp["meta"].join(single, on="document_id").select("document_id", "value").iter_rows()
    ):
        name = single_name[doc]
        printed = re.sub(r"\s+", "", printed)
        if printed == name or name_info(printed, rules).regions:
            continue
        canon = canonical_name(name, contexts.get(doc, {}), rules)[0]
        ctx_region = next(
            (
                contexts.get(doc, {}).get(k)
                for k in ("县", "市州", "省")
                if contexts.get(doc, {}).get(k)
            ),
            "",
        )
        if canonical_name(printed, contexts.get(doc, {}), rules)[1] == "as_printed" and ctx_region:
            meta_alias[(printed, ctx_region)] = canon

    bridge, alias_rows = [], Counter()
    for doc, ordinal, name in inp["issuers"].iter_rows():
        ctx = contexts.get(doc, {})
        canon, rule, region = canonical_name(name, ctx, rules)
        if rule == "as_printed":
            for lvl in ("县", "市州", "省"):
                if (name, ctx.get(lvl)) in meta_alias:
                    canon, rule, region = meta_alias[(name, ctx[lvl])], "metadata", ctx[lvl]
                    break
        bridge.append((doc, ordinal, issuer_id(name), issuer_id(canon), rule, name, canon))
        if canon != name:
            alias_rows[(name, region, issuer_id(canon), rule)] += 1
    for (printed, region), canon in meta_alias.items():
        alias_rows.setdefault((printed, region, issuer_id(canon), "metadata"), 0)

    # dim_issuer: every printed and canonical name with what it says about itself.
    canon_of: dict[str, set[str]] = defaultdict(set)
    for _, _, pid, cid, *_ in bridge:
        canon_of[pid].add(cid)
    names = {b[5] for b in bridge} | {b[6] for b in bridge}
    names |= set(frame(con, "SELECT name FROM dim_issuer")["name"].to_list())
    issuers = []
    for name in sorted(names):
        info = name_info(name, rules)
        iid = issuer_id(name)
        targets = canon_of.get(iid, {iid})
        level = info.level
        if level is None:  # a short form: its first character still says the level
            for pattern, _ in rules.short_forms:
                m = pattern.match(name)
                if m:
                    level = rules.lead_level.get(m.group("lead"))
                    break
        issuers.append(
            (
                iid,
                name,
                level,
                info.region,
                next(iter(targets)) if len(targets) == 1 else None,
                info.region_level,
            )
        )

    level_of = {i[0]: i[2] for i in issuers}
    region_of = {i[0]: i[3] for i in issuers}
    first_issuer = _first_issuers(bridge)
    doc_ctx = []
    for doc in inp["docs"]["document_id"].to_list():
        ctx = contexts.get(doc, {})
        cid = first_issuer.get(doc)
        region = (region_of.get(cid) if cid else None) or next(
            (ctx[k] for k in ("县", "市州", "省") if k in ctx), None
        )
        doc_ctx.append(
            (
                doc,
                ctx.get("省"),
                ctx.get("市州"),
                ctx.get("县"),
                region,
                level_of.get(cid) if cid else None,
                evidence.get(doc),
            )
        )

    series_rows = _series_rows(inp, bridge, first_issuer, level_of, region_of, rules, learned)
    return {
        "bridge": pl.DataFrame(
            [b[:5] for b in bridge],
            schema={
                "document_id": pl.Utf8,
                "ordinal": pl.Int32,
                "printed_issuer_id": pl.Utf8,
                "issuer_id": pl.Utf8,
                "rule": pl.Utf8,
            },
            orient="row",
        ),
        "alias": pl.DataFrame(
            [(a, r, i, rule, n) for (a, r, i, rule), n in alias_rows.items()],
            schema={
                "alias": pl.Utf8,
                "region": pl.Utf8,
                "issuer_id": pl.Utf8,
                "rule": pl.Utf8,
                "n_documents": pl.Int32,
            },
            orient="row",
        ).unique(["alias", "region"], keep="first"),
        "issuers": pl.DataFrame(
            issuers,
            schema={
                "issuer_id": pl.Utf8,
                "name": pl.Utf8,
                "level": pl.Utf8,
                "region": pl.Utf8,
                "canonical_id": pl.Utf8,
                "region_level": pl.Utf8,
            },
            orient="row",
        ),
        "context": pl.DataFrame(
            doc_ctx,
            schema={
                k: pl.Utf8
                for k in (
                    "document_id",
                    "province",
                    "prefecture",
                    "county",
                    "region",
                    "level",
                    "evidence",
                )
            },
            orient="row",
        ),
        "series": series_rows,
    }


def _first_issuers(bridge: list[tuple]) -> dict[str, str]:
    first: dict[str, tuple[int, str]] = {}
    for doc, ordinal, _, cid, *_ in bridge:
        if doc not in first or ordinal < first[doc][0]:
            first[doc] = (ordinal, cid)
    return {d: c for d, (_, c) in first.items()}


def _series_kind(series: str) -> str:
    return next((k for k in ("函", "令", "电") if k in series), "文")


def _series_rows(inp, bridge, first_issuer, level_of, region_of, rules, learned) -> pl.DataFrame:  # noqa: ANN001
    """Every series seen (issued or cited) with its issuer, level and region."""
    votes: dict[str, list[str]] = defaultdict(list)
    for doc, series in inp["docs"].select("document_id", "series").iter_rows():
        if series and doc in first_issuer:
            votes[series].append(first_issuer[doc])
    rows = []
    seen = inp["series"].group_by("series").agg(pl.col("seen_as").min())  # 'citation' < 'document'
    issued = set(inp["docs"]["series"].drop_nulls().to_list())  # once, not once per series
    for series, _ in seen.iter_rows():
        seen_as = "document" if series in issued else "citation"
        iid = Counter(votes.get(series, [])).most_common(1)[0][0] if votes.get(series) else None
        level, region, how = (
            (level_of.get(iid), region_of.get(iid), "documents")
            if iid and level_of.get(iid)
            else (None, None, None)
        )
        if level is None:
            level, region, how = series_level(series, rules, learned)
        rows.append((series, _series_kind(series), iid, level, region, seen_as, how))
    return pl.DataFrame(
        rows,
        schema={
            k: pl.Utf8
            for k in (
                "series",
                "series_kind",
                "issuer_id",
                "level",
                "region",
                "seen_as",
                "level_source",
            )
        },
        orient="row",
    )


def refresh_issuers(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)compute canonical issuers, aliases, levels, regions and series context from what is loaded.

    Idempotent: derived tables are rebuilt as a whole in one transaction. Returns the number of
    canonical issuers (distinct issuers documents resolve to).
    """
    out = resolve(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for name, df in out.items():
            con.register(f"_ref_{name}", df.to_arrow())
        con.execute(
            """INSERT INTO dim_issuer (issuer_id, name, level, region, canonical_id, region_level)
               SELECT issuer_id, name, level, region, canonical_id, region_level FROM _ref_issuers
               ON CONFLICT (issuer_id) DO UPDATE SET level = excluded.level, region = excluded.region,
                   canonical_id = excluded.canonical_id, region_level = excluded.region_level"""
        )
        con.execute("DELETE FROM issuer_alias")
        con.execute(
            "INSERT INTO issuer_alias SELECT alias, region, issuer_id, rule, n_documents FROM _ref_alias"
        )
        con.execute("DELETE FROM document_issuer_canonical")
        con.execute("INSERT INTO document_issuer_canonical SELECT * FROM _ref_bridge")
        con.execute("DELETE FROM document_context")
        con.execute("INSERT INTO document_context SELECT * FROM _ref_context")
        con.execute(
            """INSERT INTO dim_series (series, series_kind, issuer_id, level, region, seen_as, level_source)
               SELECT * FROM _ref_series
               ON CONFLICT (series) DO UPDATE SET series_kind = excluded.series_kind, issuer_id = excluded.issuer_id,
                   level = excluded.level, region = excluded.region, seen_as = excluded.seen_as,
                   level_source = excluded.level_source"""
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in out:
            con.unregister(f"_ref_{name}")
    return out["bridge"]["issuer_id"].n_unique()
