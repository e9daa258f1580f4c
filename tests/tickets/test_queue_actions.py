"""Queue actions: expand a row, village verification, Dinsos decisions inline and without JS."""

import re
from datetime import date

import pytest

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from tests.conftest import AuthActions, alerts, csrf_from, page_text, run_at_once
from tests.tickets.support import DEDI_KK, RINA_KK, user
from tests.tickets.test_queue_list import HX, QUEUE, ticket_of

# The queues are read with the demo's tickets in them.
pytestmark = pytest.mark.usefixtures("demo_tickets")


def _csrf(client) -> str:
    return csrf_from(client.get(QUEUE).data)


def _stage(app, ticket_id: int) -> str:
    with app.app_context():
        return db.session.get(Ticket, ticket_id).stage


def _verify_data(csrf, **changes) -> dict:
    data = {
        "csrf_token": csrf,
        "catatan": "Dicek ke rumah: keluarga memang belum menerima.",
        "forum": "musdes",
        "tanggal": date.today().isoformat(),
        "berita_acara": "BA-07/2026",
        "hadir": "31",
        "keputusan": "setuju",
    }
    data.update(changes)
    return data


def _verified(app, kk=RINA_KK) -> Ticket:
    """The demo ticket about the household, verified by its village's operator."""
    ticket = ticket_of(app, kk)
    with app.app_context():
        from bansos_app.tickets.workflow import verify_ticket
        from tests.tickets.support import verification

        operator = "operator" if kk == RINA_KK else "operator-ap"
        forum = "musdesus" if kk == DEDI_KK else "musdes"
        verify_ticket(user(operator), ticket.id, verification(forum=forum))
    return ticket


def test_row_expands_inline_with_checks_and_household(app, client, auth, demo):
    rina = ticket_of(app, RINA_KK)
    auth.login("operator", "demo-operator")
    response = client.get(f"{QUEUE}{rina.id}", headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    html = page_text(response)
    assert html.lstrip().startswith(f'<tbody id="t-{rina.id}"')
    assert "Lolos</strong> Keluarga ini belum menerima program ini." in html
    assert "Rina Marlina" in html and "1703********0004" in html
    assert "1703124203920004" not in html  # numbers masked
    assert 'name="catatan"' in html and "autofocus" in html.split('name="catatan"')[0][-300:]
    # Folded again, and the plain page for a browser without JavaScript.
    folded = page_text(client.get(f"{QUEUE}{rina.id}?ringkas=1", headers=HX))
    assert 'class="detail"' not in folded and 'aria-expanded="false"' in folded
    page = page_text(client.get(f"{QUEUE}{rina.id}"))
    assert "<html" in page and "Simpan verifikasi" in page and "hx-post" not in page


def test_operator_verifies_with_htmx(app, client, auth, demo):
    rina = ticket_of(app, RINA_KK)
    auth.login("operator", "demo-operator")
    response = client.post(
        f"{QUEUE}{rina.id}/verifikasi?tahap=screened", data=_verify_data(_csrf(client)), headers=HX
    )
    assert response.status_code == 200, alerts(response)
    html = page_text(response)
    assert html.lstrip().startswith(f'<tbody id="t-{rina.id}"')
    assert "Menunggu Dinsos" in html and "diverifikasi dan diteruskan ke Dinsos" in html
    assert 'id="queue-counters" hx-swap-oob="true"' in html
    assert 'id="count-village">1<' in html and 'id="count-dinsos">2<' in html
    assert _stage(app, rina.id) == "verified"


def test_verification_errors_keep_the_form_and_change_nothing(app, client, auth, demo):
    rina, dedi = ticket_of(app, RINA_KK), ticket_of(app, DEDI_KK)
    auth.login("operator", "demo-operator")
    csrf = _csrf(client)
    bad = client.post(
        f"{QUEUE}{rina.id}/verifikasi", data=_verify_data(csrf, hadir="0"), headers=HX
    )
    assert bad.status_code == 422
    assert "Jumlah hadir harus 1 sampai 5000." in page_text(bad)
    assert 'value="BA-07/2026"' in page_text(bad)  # what was typed stays
    nojs = client.post(f"{QUEUE}{rina.id}/verifikasi", data=_verify_data(csrf, tanggal="kemarin"))
    assert nojs.status_code == 422 and "<html" in page_text(nojs)
    assert _stage(app, rina.id) == "screened"
    # Dedi's reaktivasi: Musdesus only; another village's operator cannot even find it.
    assert client.post(f"{QUEUE}{dedi.id}/verifikasi", data=_verify_data(csrf)).status_code == 404
    auth.logout()
    auth.login("operator-ap", "demo-operator")
    csrf = _csrf(client)
    form = page_text(client.get(f"{QUEUE}{dedi.id}", headers=HX))
    assert 'value="musdes"' not in form and 'value="musdesus" checked' in form
    response = client.post(f"{QUEUE}{dedi.id}/verifikasi", data=_verify_data(csrf), headers=HX)
    assert response.status_code == 422
    assert "Reaktivasi hanya dengan keputusan Musdesus." in page_text(response)
    assert (
        client.post(f"{QUEUE}{rina.id}/verifikasi", data=_verify_data(csrf), headers=HX).status_code
        == 404
    )
    assert _stage(app, dedi.id) == "screened" and _stage(app, rina.id) == "screened"
    ok = client.post(f"{QUEUE}{dedi.id}/verifikasi", data=_verify_data(csrf, forum="musdesus"))
    assert ok.status_code == 303 and _stage(app, dedi.id) == "verified"


def test_dinsos_approves_inline_row_and_counters(app, client, auth, demo):
    rina = _verified(app)
    auth.login("dinsos", "demo-dinsos-admin")
    csrf = _csrf(client)
    response = client.post(
        f"{QUEUE}{rina.id}/putuskan",
        data={"csrf_token": csrf, "keputusan": "setujui", "alasan": "Sesuai musdes."},
        headers=HX,
    )
    assert response.status_code == 200, alerts(response)
    assert "HX-Request" in response.headers["Vary"]
    html = page_text(response)
    assert html.lstrip().startswith(f'<tbody id="t-{rina.id}"')
    assert "<html" not in html and 'id="listing"' not in html
    assert "disetujui dan diterapkan" in html and "Diterapkan · Disetujui" in html
    counters = re.search(r'<div id="queue-counters" hx-swap-oob="true">.*?</dl>', html, re.S)
    assert counters, "no out-of-band counters"
    assert 'id="count-dinsos">1<' in counters.group(0)  # Urai's objection still waits
    assert 'id="count-applied">2<' in counters.group(0)
    assert _stage(app, rina.id) == "applied"


def test_dinsos_rejects_without_javascript(app, client, auth, demo):
    rina = _verified(app)
    auth.login("dinsos", "demo-dinsos-admin")
    response = client.post(
        f"{QUEUE}{rina.id}/putuskan?tahap=verified",
        data={"csrf_token": _csrf(client), "keputusan": "tolak", "alasan": "Sudah mampu."},
    )
    assert response.status_code == 303 and "HX-Request" in response.headers["Vary"]
    assert response.headers["Location"] == f"{QUEUE}?tahap=verified"
    page = page_text(client.get(response.headers["Location"]))
    assert "ditolak" in page
    with app.app_context():
        ticket = db.session.get(Ticket, rina.id)
        assert (ticket.stage, ticket.outcome) == ("closed", "rejected")
        assert ticket.decision_reason == "Sudah mampu."


def test_refusals_show_in_the_row_and_change_nothing(app, client, auth, demo):
    rina = ticket_of(app, RINA_KK)
    auth.login("dinsos", "demo-dinsos-admin")
    csrf = _csrf(client)
    early = client.post(
        f"{QUEUE}{rina.id}/putuskan",
        data={"csrf_token": csrf, "keputusan": "setujui", "alasan": "Oke."},
        headers=HX,
    )
    assert early.status_code == 422
    assert alerts(early) == ["Tiket ini belum diverifikasi desa atau sudah diputuskan."]
    assert page_text(early).lstrip().startswith(f'<tbody id="t-{rina.id}"')
    assert _stage(app, rina.id) == "screened"
    _verified(app)
    for data in ({"keputusan": "setujui", "alasan": " "}, {"keputusan": "hapus", "alasan": "x"}):
        refused = client.post(
            f"{QUEUE}{rina.id}/putuskan", data={"csrf_token": csrf, **data}, headers=HX
        )
        assert refused.status_code == 422 and alerts(refused)
    nojs = client.post(
        f"{QUEUE}{rina.id}/putuskan", data={"csrf_token": csrf, "keputusan": "tolak", "alasan": ""}
    )
    assert nojs.status_code == 422 and "Bagian ini wajib diisi." in page_text(nojs)
    assert _stage(app, rina.id) == "verified"


def test_operators_cannot_decide_and_other_villages_cannot_act(app, client, auth, demo):
    rina = _verified(app)
    auth.login("operator-ap", "demo-operator")
    csrf = _csrf(client)
    data = {"csrf_token": csrf, "keputusan": "setujui", "alasan": "Oke."}
    assert client.post(f"{QUEUE}{rina.id}/putuskan", data=data).status_code == 403
    assert client.post(f"{QUEUE}{rina.id}/putuskan", data=data, headers=HX).status_code == 403
    assert client.post(f"{QUEUE}massal", data={**data, "aksi": "setujui"}).status_code == 403
    auth.logout()
    auth.login("auditor", "demo-auditor")
    assert (
        client.post(
            f"{QUEUE}{rina.id}/putuskan", data={**data, "csrf_token": _csrf(client)}
        ).status_code
        == 403
    )
    assert _stage(app, rina.id) == "verified"


def test_double_clicked_approve_is_one_transition(app, demo):
    rina = _verified(app)
    clients = []
    for _ in range(2):  # two tabs, or one impatient double click: two requests at once
        c = app.test_client()
        AuthActions(c).login("dinsos", "demo-dinsos-admin")
        clients.append((c, _csrf(c)))

    def approve(i):
        c, csrf = clients[i]
        data = {"csrf_token": csrf, "keputusan": "setujui", "alasan": "Sesuai musdes."}
        return c.post(f"{QUEUE}{rina.id}/putuskan", data=data, headers=HX).status_code

    assert sorted(run_at_once(app, 2, approve)) == [200, 422]
    with app.app_context():
        approvals = db.session.query(AuditEvent).filter_by(
            action="tickets.approved", object_id=str(rina.id)
        )
        assert approvals.count() == 1
    assert _stage(app, rina.id) == "applied"


def test_bulk_approve_reports_done_and_refused(app, client, auth, demo):
    rina = _verified(app)
    other = ticket_of(app, DEDI_KK)  # still screened: refused
    with app.app_context():
        urai = db.session.query(Ticket).filter_by(stage="verified", kind="sanggah_sendiri").one()
        urai_id = urai.id
    auth.login("dinsos", "demo-dinsos-admin")
    csrf = _csrf(client)
    response = client.post(
        f"{QUEUE}massal",
        data={
            "csrf_token": csrf,
            "aksi": "setujui",
            "alasan": "Sesuai musdes.",
            "tiket": [str(rina.id), str(urai_id), str(other.id), "x"],
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith('<section class="card" id="listing">')
    assert "2 tiket diproses. 1 tidak diproses:" in html
    assert "belum diverifikasi desa" in html
    assert _stage(app, rina.id) == "applied" and _stage(app, other.id) == "screened"
    # Then close what was applied, without JavaScript.
    response = client.post(
        f"{QUEUE}massal?tahap=applied",
        data={"csrf_token": csrf, "aksi": "tutup", "tiket": [str(rina.id), str(urai_id)]},
    )
    assert response.status_code == 303
    assert "2 tiket diproses." in page_text(client.get(response.headers["Location"]))
    assert _stage(app, rina.id) == "closed"
    empty = client.post(f"{QUEUE}massal", data={"csrf_token": csrf, "aksi": "setujui"}, headers=HX)
    assert empty.status_code == 422 and "Centang dulu" in page_text(empty)
