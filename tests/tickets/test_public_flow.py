"""Usul / Sanggah at an enrolled kiosk: every kind submitted through the pages, screen by screen."""

import html
import re

import pytest
from sqlalchemy import select

from bansos_app.extensions import db, limiter
from bansos_app.tickets.models import Ticket
from tests.conftest import csrf_from
from tests.tickets.support import (
    DEDI_KK,
    DEDI_NIK,
    RINA_KK,
    RINA_NIK,
    SRI_KK,
    SRI_NIK,
    household,
    receiving,
)

MULYADI = "Mulyadi Handayani"  # the other Sembako recipient of Giri Kencana


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """Fresh rate limits, and an app context for reading the database between requests."""
    limiter.reset()
    with app.app_context():
        yield
    limiter.reset()


def text_of(response) -> str:
    """The page's visible text, tags dropped, spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def hidden(response, name: str) -> str:
    """The value of a hidden field on the page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', response.get_data(as_text=True))
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def check_status(client, nik=SRI_NIK, kk=SRI_KK):
    """Type NIK and KK on the status form: the visit the flow needs."""
    page = client.get("/cek-status")
    answer = client.post(
        "/cek-status", data={"csrf_token": csrf_from(page.data), "nik": nik, "kk": kk}
    )
    assert answer.status_code == 303, text_of(answer)


def answer(client, page, **fields):
    """Answer the screen on `page` with the given fields (pilih=..., keterangan=...)."""
    data = {
        "csrf_token": csrf_from(page.data),
        "flow": hidden(page, "flow"),
        "langkah": hidden(page, "langkah"),
        **fields,
    }
    return client.post("/usul-sanggah", data=data)


def send(client, page, **extra):
    """Tap Kirim on the confirm screen; return the result page (redirect followed)."""
    assert hidden(page, "langkah") == "confirm", text_of(page)
    data = {"csrf_token": csrf_from(page.data), "flow": hidden(page, "flow"), **extra}
    return client.post("/usul-sanggah/kirim", data=data, follow_redirects=True)


def walk(client, *answers, start="/usul-sanggah"):
    """Open the flow and give each screen its answer; return the last page."""
    page = client.get(start)
    assert page.status_code == 200, text_of(page)
    for fields in answers:
        page = answer(client, page, **fields)
        assert page.status_code == 200, text_of(page)
    return page


def tickets():
    db.session.expire_all()  # the pages committed in their own sessions
    return db.session.scalars(select(Ticket).order_by(Ticket.id)).all()


def test_without_a_visit_the_flow_asks_for_nik_and_kk_first(app, kiosk_client):
    page = kiosk_client.get("/usul-sanggah")
    assert "Masukkan NIK dan KK dahulu" in text_of(page)
    assert 'href="/cek-status"' in page.get_data(as_text=True)


def test_sanggah_desil_from_the_status_page(app, kiosk_client):
    """The status page's button goes straight to the text screen: kind and reason are chosen."""
    check_status(kiosk_client)
    status = kiosk_client.get("/status")
    assert "/usul-sanggah?jenis=sanggah_sendiri&amp;alasan=desil" in status.get_data(as_text=True)
    assert "Belum ada usul atau sanggah" in text_of(status)
    page = walk(kiosk_client, start="/usul-sanggah?jenis=sanggah_sendiri&alasan=desil")
    assert hidden(page, "langkah") == "text"
    assert "Langkah 1" in text_of(page)  # the screens chosen for her are not counted
    page = answer(kiosk_client, page, keterangan="  DESIL KAMI   TERLALU TINGGI ")
    assert "Data saya salah" in text_of(page) and "DESIL KAMI TERLALU TINGGI" in text_of(page)
    result = send(kiosk_client, page)
    assert result.status_code == 200
    [ticket] = tickets()
    assert (ticket.kind, ticket.reason_code, ticket.stage) == (
        "sanggah_sendiri",
        "desil",
        "screened",
    )
    assert (ticket.channel, ticket.text) == ("kiosk", "DESIL KAMI TERLALU TINGGI")
    assert ticket.subject_household_id == household(SRI_KK).id
    shown = text_of(result)
    grouped = f"{ticket.number[:4]} {ticket.number[4:8]} {ticket.number[8:]}"
    assert grouped in shown and "14 hari" in shown and "Cetak bukti" in shown
    assert SRI_NIK not in result.get_data(as_text=True)
    # The status page now lists it.
    assert grouped in text_of(kiosk_client.get("/status"))


def test_usul_of_a_registry_family_of_the_village(app, kiosk_client):
    """Sri proposes Rina Marlina's household (eligible, on no list) for Sembako."""
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "registry"})
    assert "Rina Marlina" in text_of(page) and MULYADI in text_of(page)
    assert "Sri Wahyuni" not in text_of(page)  # not her own family
    # Filter by first letter: R leaves only Rina.
    page = answer(kiosk_client, page, huruf="R")
    assert "Rina Marlina" in text_of(page) and MULYADI not in text_of(page)
    assert RINA_KK not in page.get_data(as_text=True)  # KK masked
    rina = household(RINA_KK)
    page = answer(kiosk_client, page, pilih=str(rina.id))
    assert hidden(page, "langkah") == "program"
    page = answer(kiosk_client, page, pilih="SEMBAKO")
    page = answer(kiosk_client, page, keterangan="")
    result = send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.kind, ticket.program_code, ticket.stage) == ("usul", "SEMBAKO", "screened")
    assert ticket.subject_household_id == rina.id
    assert "Tiket terkirim" in text_of(result)


def test_usul_of_a_family_new_to_the_registry(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "new"})
    assert hidden(page, "langkah") == "family"
    page = answer(
        kiosk_client, page, nik="1703 1250 0190 0007", kk="1703120101240009", nama="budi santoso"
    )
    assert hidden(page, "langkah") == "program", text_of(page)
    page = answer(kiosk_client, page, pilih="SEMBAKO")
    page = answer(kiosk_client, page, keterangan="RUMAH DI UJUNG JALAN")
    assert "BUDI SANTOSO" in text_of(page)
    # The NIK travels in the signed form field only, never in an address.
    assert "/usul-sanggah?" not in page.get_data(as_text=True)
    send(kiosk_client, page)
    [ticket] = tickets()
    assert ticket.subject_household_id is None
    assert ticket.proposed["nik"] == "1703125001900007"
    assert ticket.proposed["village_code"] == "17.03.12.2003"
    assert ticket.stage == "screened"


def test_usul_of_my_own_family_offers_only_programs_not_received(app, kiosk_client):
    check_status(kiosk_client, RINA_NIK, RINA_KK)
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "mine"})
    assert hidden(page, "langkah") == "program"
    assert "Sembako / BPNT" in text_of(page)
    page = answer(kiosk_client, page, pilih="SEMBAKO")
    page = answer(kiosk_client, page, keterangan="")
    send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.kind, ticket.subject_household_id) == ("usul", household(RINA_KK).id)


def test_sanggah_of_another_recipient_with_a_reason(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "sanggah_lain"})
    assert MULYADI in text_of(page)
    assert "Rina Marlina" not in text_of(page)  # not a recipient: nothing to object to
    other = receiving()
    page = answer(kiosk_client, page, pilih=str(other.id))
    assert hidden(page, "langkah") == "other_reason"
    page = answer(kiosk_client, page, pilih="mampu")
    page = answer(kiosk_client, page, keterangan="SUDAH PUNYA MOBIL")
    send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.kind, ticket.reason_code, ticket.stage) == ("sanggah_lain", "mampu", "screened")
    assert ticket.subject_household_id == other.id


def test_reaktivasi_only_for_a_blocked_household(app, kiosk_client):
    check_status(kiosk_client)
    assert "Reaktivasi" not in text_of(kiosk_client.get("/usul-sanggah"))
    kiosk_client.post("/kiosk/reset", data={"csrf_token": csrf_from(kiosk_client.get("/").data)})
    check_status(kiosk_client, DEDI_NIK, DEDI_KK)
    page = kiosk_client.get("/usul-sanggah")
    if hidden(page, "langkah") == "who":
        page = answer(
            kiosk_client,
            page,
            pilih=re.search(r'name="pilih" value="(\d+)"', page.get_data(as_text=True)).group(1),
        )
    assert "Reaktivasi" in text_of(page)
    page = answer(kiosk_client, page, pilih="reaktivasi")
    page = answer(kiosk_client, page, pilih="SEMBAKO")
    page = answer(kiosk_client, page, keterangan="SUDAH BERHENTI BERJUDI")
    send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.kind, ticket.program_code) == ("reaktivasi", "SEMBAKO")
    assert ticket.subject_household_id == household(DEDI_KK).id


def test_back_forgets_the_last_answer(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "sanggah_lain"})
    page = answer(kiosk_client, page, kembali="1")
    assert hidden(page, "langkah") == "kind"


def test_kirim_sent_twice_makes_one_ticket(app, kiosk_client):
    """A double tap on Kirim (or a reload of the POST) shows the same ticket, not a second one."""
    check_status(kiosk_client)
    page = walk(
        kiosk_client, {"keterangan": ""}, start="/usul-sanggah?jenis=sanggah_sendiri&alasan=desil"
    )
    first = send(kiosk_client, page)
    second = send(kiosk_client, page)
    [ticket] = tickets()
    assert ticket.stage == "screened"
    assert ticket.number[:4] in text_of(first) and ticket.number[:4] in text_of(second)


def test_htmx_gets_only_the_main_block(app, kiosk_client):
    """Each screen swaps #main: htmx receives the block alone, and caches know it varies."""
    check_status(kiosk_client)
    page = kiosk_client.get("/usul-sanggah")
    data = {
        "csrf_token": csrf_from(page.data),
        "flow": hidden(page, "flow"),
        "langkah": "kind",
        "pilih": "sanggah_lain",
    }
    fragment = kiosk_client.post("/usul-sanggah", data=data, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in html and 'id="tk-question"' in html
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"
    whole = kiosk_client.post("/usul-sanggah", data=data)
    assert "<html" in whole.get_data(as_text=True)


def test_a_family_of_adults_says_who_submits(app, kiosk_client, make_household):
    """Two grown-ups: the first screen asks whose NIK the ticket carries (Cek Tiket needs it)."""
    hid = make_household(members=2)
    from bansos_app.registry.models import Household

    family = db.session.get(Household, hid)
    first, second = family.members
    check_status(kiosk_client, first.nik, family.kk_number)
    page = kiosk_client.get("/usul-sanggah")
    assert hidden(page, "langkah") == "who"
    assert first.name in text_of(page) and second.name in text_of(page)
    assert answer(kiosk_client, page, pilih="999999").status_code == 422  # not a member
    page = answer(kiosk_client, page, pilih=str(second.id))
    page = answer(kiosk_client, page, pilih="sanggah_sendiri")
    page = answer(kiosk_client, page, pilih="anggota")
    page = answer(kiosk_client, page, keterangan="")
    send(kiosk_client, page)
    [ticket] = tickets()
    assert ticket.submitter_person_id == second.id


def test_the_open_ticket_limit_is_explained(app, kiosk_client):
    """Three open tickets per NIK: the fourth is refused with the reason, nothing stored."""
    check_status(kiosk_client)
    rina = str(household(RINA_KK).id)
    flows = [
        ({"keterangan": ""},),
        ({"pilih": "sanggah_lain"}, {"pilih": str(receiving().id)}, {"pilih": "mampu"}),
        ({"pilih": "usul"}, {"pilih": "registry"}, {"pilih": rina}, {"pilih": "SEMBAKO"}),
        ({"pilih": "usul"}, {"pilih": "registry"}, {"pilih": rina}, {"pilih": "PBI"}),
    ]
    answers = []
    for i, steps in enumerate(flows):
        start = "/usul-sanggah?jenis=sanggah_sendiri&alasan=desil" if i == 0 else "/usul-sanggah"
        tail = () if i == 0 else ({"keterangan": ""},)
        answers.append(send(kiosk_client, walk(kiosk_client, *steps, *tail, start=start)))
    assert [a.status_code for a in answers] == [200, 200, 200, 422]
    assert "Anda sudah punya 3 tiket yang masih diproses" in text_of(answers[-1])
    assert [t.stage for t in tickets()] == ["screened"] * 3
