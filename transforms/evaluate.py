"""Score parsed documents and facts against hand-made gold labels (tests/gold/*.json).

Gold file: ``{"source", "documents": [{title, doc_number, issuers, signed_date, genre,
section}], "appointments": [{doc, action, person, position, qualifier}], "citations": [{doc,
cited_doc_number}], "task_assignments": [{doc, task_no, task, unit}]}``; a fact's ``doc`` is
its document's number, or its title when it has none. The frames are shaped like the
warehouse views: they carry ``document_id`` rather than ``seq``.

A predicted document matches a gold one on the document number when both have one, else on
the normalised title (one to one, in order). The split is scored by precision, recall and F1
of matched documents; each header field by exact-match accuracy over matched documents
(after normalising width, spaces and number form); each fact kind by F1 over multisets of
tuples, with facts of a matched document filed under the gold document's key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import polars as pl

from transforms.numbers import normalize_doc_number

FIELDS = ("title", "doc_number", "issuers", "signed_date", "genre", "section")
_WIDTH = str.maketrans("()，：；０１２３４５６７８９", "（）,:;0123456789")


def norm_text(value: Any) -> str | None:
    """Whitespace gone, brackets full-width, digits ASCII: the form titles compare in."""
    if value is None:
        return None
    s = re.sub(r"\s+", "", str(value)).translate(_WIDTH)
    return s or None


def norm_number(value: Any) -> str | None:
    """A document number's normal form (``凉府办函[2020]12 号`` -> ``凉府办函〔2020〕12号``)."""
    if value is None or str(value).strip() == "":
        return None
    return normalize_doc_number(str(value)) or norm_text(value)


def norm_date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def norm_issuers(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(sorted(n for n in (norm_text(v) for v in value) if n))


_NORMS = {
    "title": norm_text,
    "doc_number": norm_number,
    "issuers": norm_issuers,
    "signed_date": norm_date,
    "genre": norm_text,
    "section": norm_text,
}


def doc_key(doc: dict[str, Any]) -> str | None:
    """How facts refer to a document: its number, else its title."""
    return norm_number(doc.get("doc_number")) or norm_text(doc.get("title"))


def match_documents(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs: by number where both have one, then
    by normalised title among the rest."""
    pairs: list[tuple[int, int]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()
    for gi, g in enumerate(gold):
        gn = norm_number(g.get("doc_number"))
        if not gn:
            continue
        for pi, p in enumerate(pred):
            if pi not in used_p and norm_number(p.get("doc_number")) == gn:
                pairs.append((gi, pi))
                used_g.add(gi)
                used_p.add(pi)
                break
    for gi, g in enumerate(gold):
        if gi in used_g:
            continue
        gt, gn = norm_text(g.get("title")), norm_number(g.get("doc_number"))
        for pi, p in enumerate(pred):
            if pi in used_p:
                continue
            pn = norm_number(p.get("doc_number"))
            if gn and pn:  # both numbered but different: not the same document
                continue
            if gt and norm_text(p.get("title")) == gt:
                pairs.append((gi, pi))
                used_g.add(gi)
                used_p.add(pi)
                break
    return sorted(pairs)


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 when both sides are empty)."""
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "predicted": n_pred, "gold": n_gold}


def _fact_tuples(
    rows: list[dict[str, Any]], fields: tuple[str, ...], key_of: dict[Any, str | None], by_id: bool
) -> Counter:
    out: Counter = Counter()
    for row in rows:
        doc = (
            key_of.get(row.get("document_id"))
            if by_id
            else (norm_number(row.get("doc")) or norm_text(row.get("doc")))
        )
        values = []
        for f in fields:
            v = row.get(f)
            values.append(
                norm_number(v)
                if f == "cited_doc_number"
                else (norm_text(v) if v is not None else None)
            )
        out[(doc, *values)] += 1
    return out


FACT_FIELDS = {
    "appointments": ("action", "person", "position"),
    "citations": ("cited_doc_number",),
    "task_assignments": ("task_no", "unit"),
}


def _rows(df: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if df is None or df.height == 0 else df.to_dicts()


def evaluate(
    gold: dict[str, Any],
    documents: pl.DataFrame,
    appointments: pl.DataFrame,
    citations: pl.DataFrame,
    tasks: pl.DataFrame,
) -> dict[str, Any]:
    """Scores of one parsed source against its gold labels (see the module docstring)."""
    gdocs = list(gold.get("documents", []))
    pdocs = _rows(documents)
    pairs = match_documents(gdocs, pdocs)
    report: dict[str, Any] = {
        "source": gold.get("source"),
        "split": prf(len(pairs), len(pdocs), len(gdocs)),
    }
    fields: dict[str, Any] = {}
    mismatches: list[dict[str, Any]] = []
    for f in FIELDS:
        norm = _NORMS[f]
        ok = 0
        for gi, pi in pairs:
            g, p = norm(gdocs[gi].get(f)), norm(pdocs[pi].get(f))
            if g == p:
                ok += 1
            else:
                mismatches.append(
                    {"field": f, "gold": gdocs[gi].get(f), "predicted": pdocs[pi].get(f)}
                )
        fields[f] = {
            "accuracy": ok / len(pairs) if pairs else 0.0,
            "correct": ok,
            "matched": len(pairs),
        }
    report["fields"] = fields
    report["mismatches"] = mismatches
    report["unmatched_gold"] = [
        gdocs[i].get("title") for i in range(len(gdocs)) if i not in {g for g, _ in pairs}
    ]
    report["unmatched_predicted"] = [
        pdocs[i].get("title") for i in range(len(pdocs)) if i not in {p for _, p in pairs}
    ]
    # Facts of a matched document are filed under the gold document's key.
    key_of: dict[Any, str | None] = {p.get("document_id"): doc_key(p) for p in pdocs}
    for gi, pi in pairs:
        key_of[pdocs[pi].get("document_id")] = doc_key(gdocs[gi])
    frames = {"appointments": appointments, "citations": citations, "task_assignments": tasks}
    facts = {}
    for kind, fields_ in FACT_FIELDS.items():
        g = _fact_tuples(list(gold.get(kind, [])), fields_, key_of, by_id=False)
        p = _fact_tuples(_rows(frames[kind]), fields_, key_of, by_id=True)
        tp = sum((g & p).values())
        facts[kind] = prf(tp, sum(p.values()), sum(g.values()))
    report["facts"] = facts
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as text for the ``gazette eval`` command."""
    s = report["split"]
    lines = [
        f"source: {report.get('source')}",
        f"split       P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
        f"({s['tp']} matched / {s['predicted']} predicted / {s['gold']} gold)",
        "fields (exact match over matched documents):",
    ]
    for f, v in report["fields"].items():
        lines.append(f"  {f:<12} {v['accuracy']:.3f}  ({v['correct']}/{v['matched']})")
    lines.append("facts:")
    for kind, v in report["facts"].items():
        lines.append(
            f"  {kind:<17} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  "
            f"({v['tp']} / {v['predicted']} predicted / {v['gold']} gold)"
        )
    for title in report.get("unmatched_gold", []):
        lines.append(f"  missed: {title}")
    for title in report.get("unmatched_predicted", []):
        lines.append(f"  spurious: {title}")
    for m in report.get("mismatches", [])[:20]:
        lines.append(f"  {m['field']}: gold {m['gold']!r} != predicted {m['predicted']!r}")
    return "\n".join(lines)
