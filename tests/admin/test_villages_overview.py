"""The district home over all of Bengkulu Utara: totals, kecamatan filter, name search, pages."""

import html as htmllib
import re

import pytest
from sqlalchemy import event, func, select

from bansos_app.extensions import db
from bansos_app.registry.models import Household, Region
from tests.conftest import page_text as _text

KETAHUN = "17.03.12"


@pytest.fixture
def dinsos(client, auth, demo):
    """The test client logged in as the demo Dinsos admin (every village)."""
    assert auth.login("dinsos", "demo-dinsos-admin").status_code == 303
    return client


def _totals(html: str) -> dict:
    pairs = re.findall(r"<div><dt>([^<]+)</dt><dd>([\d.]+)</dd></div>", html)
    return {label: int(value.replace(".", "")) for label, value in pairs}


def _rows(html: str) -> list[tuple[str, str]]:
    """(code, name) of each village row on the page."""
    found = re.findall(r'<tr><td class="col-code">([\d.]+)</td><td>([^<]+)<span', html)
    return [(code, htmllib.unescape(name)) for code, name in found]


def _expected(app, kecamatan=None, name=None) -> tuple[int, int, int]:
    with app.app_context():
        villages = select(Region.code).where(Region.level == 4)
        if kecamatan:
            villages = villages.where(Region.parent_code == kecamatan)
        if name:
            villages = villages.where(func.lower(Region.name).contains(name.lower()))
        codes = list(db.session.scalars(villages))
        in_filter = Household.village_code.in_(codes)
        total = db.session.scalar(select(func.count()).where(in_filter))
        active = db.session.scalar(
            select(func.count()).where(in_filter, Household.status == "active")
        )
        return len(codes), active, total


def test_home_is_one_small_page_with_totals_over_all_villages(app, dinsos):
    villages, active, total = _expected(app)
    assert villages > 200  # the demo loads every village of Bengkulu Utara
    html = _text(dinsos.get("/staf/"))
    assert _totals(html) == {"Desa": villages, "KK aktif": active, "Semua KK": total}
    assert len(_rows(html)) == 25
    pages = -(-villages // 25)
    assert f"Halaman 1 dari {pages}" in html
    assert 'rel="next" href="/staf/?hal=2"' in html
    assert len(html) < 20_000  # the old home was every village in one table


def test_pages_follow_each_other_and_a_page_past_the_end_shows_the_last(app, dinsos):
    first = _rows(_text(dinsos.get("/staf/")))
    second = _rows(_text(dinsos.get("/staf/?hal=2")))
    assert second and not set(first) & set(second)
    assert first[-1][0] < second[0][0]
    villages = _expected(app)[0]
    last = _text(dinsos.get("/staf/?hal=999"))
    assert len(_rows(last)) == villages - 25 * (-(-villages // 25) - 1)
    assert 'rel="next"' not in last


def test_filter_by_kecamatan_and_search_by_name(app, dinsos):
    html = _text(dinsos.get("/staf/", query_string={"kecamatan": KETAHUN}))
    rows = _rows(html)
    assert rows and all(code.startswith(KETAHUN + ".") for code, _ in rows)
    villages, active, total = _expected(app, kecamatan=KETAHUN)
    assert _totals(html) == {"Desa": villages, "KK aktif": active, "Semua KK": total}
    assert ("17.03.12.2003", "Giri Kencana") in rows

    for query in ("giri", "GIRI KEN", "  Kencana "):
        html = _text(dinsos.get("/staf/", query_string={"desa": query}))
        assert ("17.03.12.2003", "Giri Kencana") in _rows(html), query
        assert all(query.strip().lower() in name.lower() for _, name in _rows(html))

    both = _text(dinsos.get("/staf/", query_string={"kecamatan": "17.03.14", "desa": "air"}))
    rows = _rows(both)
    assert rows and all(c.startswith("17.03.14.") and "air" in n.lower() for c, n in rows)
    assert _totals(both)["Desa"] == _expected(app, kecamatan="17.03.14", name="air")[0]
    # Pages keep the filter.
    assert "Air Petai" in both


def test_htmx_gets_only_the_list_and_the_url_keeps_the_filter(dinsos):
    response = dinsos.get("/staf/?desa=giri", headers={"HX-Request": "true"})
    html = _text(response)
    assert html.lstrip().startswith('<div id="villages">')
    assert "<html" not in html and "Giri Kencana" in html
    assert "HX-Request" in response.headers["Vary"]
    page = _text(dinsos.get("/staf/"))
    # Live search without a submit, the URL kept for back and reload; a plain GET form without JS.
    assert 'hx-trigger="input changed delay:400ms, search"' in page
    assert 'hx-push-url="true"' in page
    assert re.search(r'<form class="filter" method="get" action="/staf/"', page)


def test_no_match_and_bad_filters_get_a_message_not_a_crash(app, dinsos):
    html = _text(dinsos.get("/staf/?desa=zzzz"))
    assert "Tidak ada desa yang cocok dengan pencarian ini." in html
    # LIKE wildcards are taken literally.
    for wild in ("%", "_", "%%"):
        assert "Tidak ada desa yang cocok" in _text(
            dinsos.get("/staf/", query_string={"desa": wild})
        )
    cases = {
        "desa=" + "x" * 61: "Nama desa paling banyak 60 huruf.",
        "kecamatan=99.99.99": "Pilihan tidak tersedia.",
        "kecamatan=%27%3B--": "Pilihan tidak tersedia.",
        "hal=abc": "Isi dengan angka bulat.",
        "hal=99999999999": "Isi dengan angka bulat.",
    }
    villages = _expected(app)[0]
    for query, message in cases.items():
        response = dinsos.get("/staf/?" + query)
        assert response.status_code == 422, query
        html = _text(response)
        assert message in html, query
        assert _totals(html)["Desa"] == villages, query  # the bad filter is left out
    # Control characters are refused at the edge for every page (bansos_app/guards.py).
    response = dinsos.get("/staf/?desa=a%00b")
    assert response.status_code == 422
    assert "karakter yang tidak diizinkan" in _text(response)


def test_operator_sees_only_own_villages_and_no_filter(client, auth, demo):
    auth.login("operator", "demo-operator")
    html = _text(client.get("/staf/"))
    assert {code for code, _ in _rows(html)} == {"17.03.12.2001", "17.03.12.2003"}
    assert _totals(html)["Desa"] == 2
    assert 'class="filter"' not in html  # two villages need no search
    # Searching does not widen the scope.
    assert _rows(_text(client.get("/staf/?desa=air"))) == []


def test_counting_is_done_by_the_database(app, dinsos):
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in ("/staf/", "/staf/?hal=5", "/staf/?kecamatan=17.03.12"):
            statements.clear()
            assert dinsos.get(path).status_code == 200
            # User, kecamatan choices, totals, one page of rows, and the home's figures in
            # eight grouped queries (tests/admin/test_home_figures.py): never one per village.
            assert len(statements) <= 13, path
            statements.clear()
            assert dinsos.get(path, headers={"HX-Request": "true"}).status_code == 200
            assert len(statements) <= 5, path  # the list alone does not count the figures
    finally:
        event.remove(engine, "before_cursor_execute", count)
