"""Site files: every one loads, names a known family, says it is unverified, and reads its
family's real list page; broken files fail with the file and key in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.definitions import SITES_DIR, SiteDefinitionError, load_site, load_sites
from sources.families import FAMILIES

LISTS = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "portal" / "lists"
SITE_IDS = sorted(p.stem for p in SITES_DIR.glob("*.toml"))

# A real (or fixture-shaped) list page of each family, to read with each site's own settings.
FAMILY_SAMPLE = {
    "trs": (LISTS / "ndrc_trs_list_index.html").read_text(encoding="utf-8"),
    "hanweb": (LISTS / "jiangsu_hanweb_jpage_list.html").read_text(encoding="utf-8"),
    "jpaas": (LISTS / "zj_jpaas_unit_api_response.json").read_text(encoding="utf-8"),
    "govcn": "<ul><li><a href='/zhengce/content/2020-06/19/content_1.htm'>通知</a><span>2020-06-19</span></li></ul>",
    "gkmlpt": '{"articles": [{"title": "通知", "url": "/gkmlpt/content/3/post_1.html", "date": 1592539200}], "total": 1}',
    "archive": "<ul><li><a href='/gb/2018-12.pdf'>2018年第12期</a><span>2018-12-31</span></li></ul>",
}


def test_the_example_sites_are_all_there():
    assert set(SITE_IDS) >= {
        "liangshan",
        "panzhihua_gazette",
        "jiangxi",
        "ndrc",
        "jiangsu_fzggw",
        "zhejiang_fzggw",
        "govcn",
    }
    assert load_site("liangshan").name == "凉山州人民政府"
    assert load_site("panzhihua_gazette").gazette == "攀枝花市人民政府公报"


@pytest.mark.parametrize("site_id", SITE_IDS)
def test_every_site_loads_and_reads_its_family_sample(site_id):
    site = load_site(site_id)
    assert site.id == site_id and site.family in FAMILIES
    assert site.verified is False
    assert "not checked against the live site" in site.path.read_text(encoding="utf-8").lower()
    assert site.allowed_hosts and site.verify_tls is True and site.rate_limit_seconds >= 1.0
    items = site.family_module.parse_list(FAMILY_SAMPLE[site.family], site.start_urls[0], site)
    assert items and all(i.date is not None for i in items)


def test_load_sites_matches_files():
    assert sorted(load_sites()) == SITE_IDS


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('name = "x"\nfamily = "wordpress"\nstart_urls = ["http://a.gov.cn/"]\n', "'family'"),
        ('name = "x"\nfamily = "trs"\n', "'start_urls'"),
        (
            'name = "x"\nfamily = "trs"\nstart_urls = ["http://a.gov.cn/"]\n[selectors]\nrow = "li"\n',
            "'selectors.row'",
        ),
        ('name = "x"\nfamily = "trs"\nstart_urls = ["a.gov.cn/index.html"]\n', "'start_urls'"),
        (
            'name = "x"\nfamily = "trs"\nstart_urls = ["http://a.gov.cn/"]\nrate_limit = 1\n',
            "'rate_limit'",
        ),
        ('name = "x"\nfamily = "archive"\nstart_urls = ["http://a.gov.cn/"]\n', "'gazette'"),
        (
            'name = "x"\nfamily = "hanweb"\nstart_urls = ["http://a.gov.cn/"]\n[params]\ncolumn = 1\n',
            "'params.column'",
        ),
    ],
)
def test_bad_site_file_names_file_and_key(tmp_path, body, key):
    path = tmp_path / "broken_site.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SiteDefinitionError) as err:
        load_site(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_defaults_come_from_the_start_urls_and_family(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(
        'name = "x"\nfamily = "trs"\nstart_urls = ["https://www.a.gov.cn/l/index.html", "https://b.gov.cn/"]\n',
        encoding="utf-8",
    )
    site = load_site(path)
    assert site.id == "mini" and site.allowed_hosts == ("www.a.gov.cn", "b.gov.cn")
    assert site.verify_tls is True and site.kind == "portal_page" and site.selectors["item"] == "li"


def test_every_family_has_a_list_sample_and_a_fixture_site(httpserver):
    """Adding a family means adding its sample and its fixture site (Querido Diário style)."""
    from fixture_site import build_fixture_site

    assert set(FAMILY_SAMPLE) == set(FAMILIES)
    fixture = build_fixture_site(httpserver)
    assert {site.family for site in fixture.sites.values()} == set(FAMILIES)
