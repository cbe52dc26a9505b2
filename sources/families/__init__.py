"""Portal families: one module per content-management system, each reading list pages.

Every family module exposes ``parse_list(text, base_url, site) -> list[ListItem]`` and
``next_page(current_url, text, page_index, site) -> str | None`` plus ``DEFAULT_SELECTORS``,
``PARAM_KEYS`` (the ``[params]`` a site may set) and ``DEFAULT_KIND``. ``page_index`` is the
0-based index of the page just read. A site file names its family by the module name.
"""

from __future__ import annotations

from types import ModuleType

from sources.families import archive, gkmlpt, govcn, hanweb, jpaas, trs
from sources.families._listing import ListItem

FAMILIES: dict[str, ModuleType] = {
    m.__name__.rsplit(".", 1)[-1]: m for m in (govcn, trs, hanweb, jpaas, gkmlpt, archive)
}

__all__ = ["FAMILIES", "ListItem"]
