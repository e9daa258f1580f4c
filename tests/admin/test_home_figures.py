"""The staff home's figures: per village for village roles, per kecamatan with rules for Dinsos."""

import html as htmllib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bansos_app.admin.services import home_figures
from bansos_app.auth.models import User
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.models import Eligibility, RuleVersion
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.extensions import db
from tests.conftest import page_text

GIRI, URAI, AIR_PETAI = "17.03.12.2003", "17.03.12.2001", "17.03.14.2017"


@pytest.fixture
def staff(make_user):
    """A village operator (Giri Kencana, Urai), a Dinsos admin and a shop, without demo data."""
    make_user("operator", "operator_desa", (GIRI, URAI))
    make_user("dinsos", "dinsos_admin")
    make_user("toko", "merchant")


def _login(auth, username):
    assert auth.login(username, f"{username}-pass-123").status_code == 303


@pytest.fixture
def registry(app, staff, make_household):
    """Households in two scoped villages and one outside, answers and recipient lists."""
    ids = {
        "g1": make_household(GIRI),
        "g2": make_household(GIRI),
        "g3": make_household(GIRI),
        "g_off": make_household(GIRI, status="inactive"),
        "u1": make_household(URAI),
        "u2": make_household(URAI),
        "p1": make_household(AIR_PETAI),
    }
    today = local_today()
    with app.app_context():
        answers = {
            ("g1", "PKH"): "eligible",
            ("g2", "PKH"): "eligible",
            ("g3", "PKH"): "not_eligible",
            ("u1", "SEMBAKO"): "eligible",
            ("u2", "SEMBAKO"): "not_eligible",
            ("p1", "PKH"): "eligible",
            ("p1", "SEMBAKO"): "not_eligible",
        }
        for (key, program), state in answers.items():
            db.session.add(
                Eligibility(household_id=ids[key], program_code=program, state=state, as_of=today)
            )

        def sk(program, start, end):
            lst = RecipientList(
                program_code=program,
                valid_from=start,
                valid_until=end,
                sk_number="SK 1",
                sk_date=start,
                mode="all",
            )
            db.session.add(lst)
            db.session.flush()
            return lst

        pkh = sk("PKH", today - timedelta(days=30), today + timedelta(days=300))
        old = sk("SEMBAKO", today - timedelta(days=400), today - timedelta(days=1))
        sembako = sk("SEMBAKO", today, today + timedelta(days=300))

        def receive(lst, key, village, state="active"):
            db.session.add(
                Recipient(
                    list_id=lst.id,
                    household_id=ids[key],
                    program_code=lst.program_code,
                    village_code=village,
                    desil=2,
                    state=state,
                )
            )

        receive(pkh, "g1", GIRI)
        receive(pkh, "g3", GIRI)  # no longer eligible: needs review
        receive(pkh, "g2", GIRI, state="removed")
        receive(old, "u1", URAI)  # a list no longer valid
        receive(sembako, "u2", URAI)  # needs review
        receive(pkh, "p1", AIR_PETAI)
        receive(sembako, "p1", AIR_PETAI)  # needs review, outside the operator's villages
        db.session.add_all(
            [
                RuleVersion(
                    program_code="SEMBAKO",
                    effective_from=today + timedelta(days=30),
                    desil_min=1,
                    desil_max=4,
                    amount=250_000,
                    note="Kepmensos baru",
                ),
                RuleVersion(
                    program_code="LPG",
                    effective_from=today + timedelta(days=90),
                    desil_min=1,
                    desil_max=3,
                    amount=60_000,
                ),
            ]
        )
        db.session.commit()
    return ids


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_a_village_role_counts_its_own_villages(app, registry):
    with app.app_context():
        figures = home_figures(_user("operator"))
    assert not figures.by_kecamatan and figures.upcoming == []
    by_code = {a.code: a for a in figures.areas}
    assert set(by_code) == {GIRI, URAI}
    giri, urai = by_code[GIRI], by_code[URAI]
    with app.app_context():
        yesterday = home_figures(_user("operator"), today=local_today() - timedelta(days=1))
    assert giri.recipients == {"PKH": 2}  # the removed one does not count
    assert giri.eligible["PKH"] == 2 and giri.review == {"PKH": 1}
    assert giri.review_households == 1
    assert urai.recipients == {"SEMBAKO": 1} and urai.review == {"SEMBAKO": 1}
    assert urai.eligible == {"SEMBAKO": 1}
    assert figures.total.review_households == 2
    assert figures.total.recipients == {"PKH": 2, "SEMBAKO": 1}
    # Yesterday the new Sembako list was not valid yet, the old one still was.
    old = {a.code: a for a in yesterday.areas}
    assert old[URAI].recipients == {"SEMBAKO": 1} and old[URAI].review == {}
    assert (giri.households, urai.households) == (3, 2)  # the inactive one does not count


def test_dinsos_sees_kecamatan_and_rules_taking_effect_soon(app, registry):
    with app.app_context():
        figures = home_figures(_user("dinsos"))
        by_code = {a.code: a for a in figures.areas}
        assert figures.by_kecamatan
        assert {"17.03.12", "17.03.14"} <= set(by_code)
        assert by_code["17.03.12"].name == "Ketahun"
        putri = by_code["17.03.14"]
        assert putri.recipients == {"PKH": 1, "SEMBAKO": 1} and putri.review == {"SEMBAKO": 1}
        assert by_code["17.03.12"].review_households == 2
        assert figures.total.review_households == 3
        assert [(v.program_code, v.desil_max) for v in figures.upcoming] == [("SEMBAKO", 4)]


def _figures_table(html: str) -> str:
    match = re.search(r'<table class="table figures-areas">(.*?)</table>', html, re.S)
    assert match, "no figures per area"
    return match.group(1)


def test_the_home_shows_the_figures_per_role(client, auth, registry):
    _login(auth, "operator")
    html = page_text(client.get("/staf/"))
    assert "Per desa" in html and "Giri Kencana" in _figures_table(html)
    assert "Air Petai" not in _figures_table(html)
    assert "KK perlu ditinjau" in html and "Aturan yang mulai berlaku" not in html
    auth.logout()
    _login(auth, "dinsos")
    html = htmllib.unescape(page_text(client.get("/staf/")))
    rows = _figures_table(html)
    assert "Per kecamatan" in html and "Ketahun" in rows and "Putri Hijau" in rows
    assert "Aturan yang mulai berlaku dalam 60 hari" in html
    assert re.search(
        r"Sembako / BPNT</strong>: mulai \d+ \w+ \d{4}, desil 1 sampai 4, Rp250\.000", html
    )
    assert "Subsidi LPG 3 kg</strong>" not in html  # 90 days away


def test_every_figure_links_to_the_registry_list_filtered(client, auth, registry):
    _login(auth, "operator")
    html = htmllib.unescape(page_text(client.get("/staf/")))
    for link in (
        f"/staf/keluarga/?desa={GIRI}&tinjau=y",
        "/staf/keluarga/?program=PKH&tinjau=y",
        f"/staf/keluarga/?desa={GIRI}&program=PKH&keadaan=receiving",
        f"/staf/keluarga/?desa={URAI}&program=SEMBAKO&keadaan=eligible",
        f"/staf/keluarga/?desa={GIRI}",
        "/staf/keluarga/?tinjau=y",
        "/staf/keluarga/?program=SEMBAKO&keadaan=receiving",
    ):
        assert f'href="{link}"' in html, link


def test_figures_open_the_registry_list_they_count(client, auth, registry):
    _login(auth, "operator")
    html = page_text(client.get("/staf/"))
    links = re.findall(r'href="(/staf/keluarga/[^"]*)"', html)
    assert links, "no figure links to the registry"
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert "/staf/keluarga/?program=PKH&amp;keadaan=receiving" in html
    assert "tinjau=y" in html


def test_figures_take_a_fixed_number_of_queries(app, registry):
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
        users = [_user("dinsos"), _user("operator")]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for user in users:
            with app.app_context():
                user = db.session.merge(user)
                statements.clear()
                home_figures(user)
                # Households, eligible, lists, recipients, review, names, programs, rules.
                assert len(statements) <= 8
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_shop_sees_no_registry_figures(client, auth, staff):
    _login(auth, "toko")
    html = page_text(client.get("/staf/"))
    assert "Keadaan hari ini" not in html and "figures-areas" not in html


def test_two_lists_valid_on_one_day_count_a_household_once(app, registry):
    today = local_today()
    with app.app_context():
        extra = RecipientList(
            program_code="PKH",
            valid_from=today - timedelta(days=1),
            valid_until=today + timedelta(days=1),
            sk_number="SK susulan",
            sk_date=today,
            mode="all",
        )
        db.session.add(extra)
        db.session.flush()
        for key, village in (("g1", GIRI), ("g3", GIRI)):
            db.session.add(
                Recipient(
                    list_id=extra.id,
                    household_id=registry[key],
                    program_code="PKH",
                    village_code=village,
                    desil=2,
                )
            )
        db.session.commit()
        figures = {a.code: a for a in home_figures(_user("operator")).areas}
    assert figures[GIRI].recipients == {"PKH": 2}
    assert figures[GIRI].review == {"PKH": 1} and figures[GIRI].review_households == 1
