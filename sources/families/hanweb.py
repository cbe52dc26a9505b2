"""Hanweb JCMS classic (Jiangsu, Shandong, Jiangxi): lists in a ``<datastore>`` and a data proxy.

The column page ``/col/col{C}/index.html`` embeds its first records as
``<datastore><recordset><record><![CDATA[<li>…]]></record>…``; the jpage script pages on from
``/module/web/jpage/dataproxy.jsp`` with ``startrecord``/``endrecord``/``perpage`` and the unit's
parameters (columnid, unitid, webid, …). The proxy answers the same ``<datastore>`` XML. The
browser POSTs these as a form; the JSP reads request parameters, so we send them in the query
string, which keeps every page a plain URL that can be stored and re-fetched.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from sources.families._listing import ListItem, html_items

DEFAULT_KIND = "portal_page"
DEFAULT_SELECTORS = {"item": "li", "link": "a[href]", "date": "span"}
PARAM_KEYS = {"unitid", "columnid", "webid", "perpage", "groupsize", "proxy_url"}
DEFAULT_PARAMS: dict[str, Any] = {}

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_PARAM_OBJ = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}", re.S)
_JS_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_JPAGE_NUM = re.compile(r"\b(totalRecord|perPage|groupSize)\s*:\s*(\d+)")
_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)


def records(text: str) -> list[str]:
    """The ``<record>`` CDATA bodies of a datastore (the embedded first page or a proxy answer).

    Only records holding a link count: a placeholder record is not an entry of the list.
    """
    return [r for r in _RECORD.findall(text) if "href" in r]


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """Rows of the datastore records, or of the page itself when it has no datastore."""
    recs = records(text)
    body = "<ul>" + "".join(recs) + "</ul>" if recs else text
    return html_items(body, base_url, site.selectors, site.date_format)


def _unit_params(text: str, unitid: str | None) -> dict[str, str] | None:
    """The ``param_<unit>`` object of the jpage script (the first unit unless ``unitid``)."""
    for m in _PARAM_OBJ.finditer(text):
        if unitid and m.group(1) != str(unitid):
            continue
        return {k: next((v for v in vals if v), "") for k, *vals in _JS_PAIR.findall(m.group(2))}
    return None


def _with_query(url: str, query: dict[str, Any]) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """The next data-proxy window of records, or None when the list is exhausted."""
    n_records = len(records(text))
    if urlsplit(current_url).path.endswith("dataproxy.jsp"):
        query = dict(parse_qsl(urlsplit(current_url).query, keep_blank_values=True))
        start, end = int(query["startrecord"]), int(query["endrecord"])
        span = end - start + 1
        total = _TOTAL_TAG.search(text)
        if n_records < span or (total and end >= int(total.group(1))):
            return None
        query.update(startrecord=str(end + 1), endrecord=str(end + span))
        return _with_query(current_url, query)
    params = _unit_params(text, site.params.get("unitid"))
    if params is None:
        return None
    nums = dict((k, int(v)) for k, v in _JPAGE_NUM.findall(text))
    per_page = int(site.params.get("perpage") or nums.get("perPage", 10))
    group = int(site.params.get("groupsize") or nums.get("groupSize", 3))
    total = nums.get("totalRecord")
    if n_records == 0 or (total is not None and n_records >= total):
        return None
    for key in ("columnid", "unitid", "webid"):
        if site.params.get(key):
            params[key] = str(site.params[key])
    proxy = (
        site.params.get("proxy_url")
        or (_PROXY.search(text) or [None, "/module/web/jpage/dataproxy.jsp"])[1]
    )
    query = dict(
        params,
        startrecord=str(n_records + 1),
        endrecord=str(n_records + per_page * group),
        perpage=str(per_page),
    )
    return _with_query(urljoin(current_url, proxy), query)
