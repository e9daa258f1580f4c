"""Issuing a period's vouchers: who gets one, its value and code, idempotency, the pages, CLI."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.jobs.models import Job
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import DistributionPeriod, Voucher
from bansos_app.vouchers.services import (
    is_expired,
    issuance_preview,
    issue_vouchers,
    open_period,
)
from bansos_app.vouchers.tokens import code_hash, manual_code
from tests.conftest import csrf_from, page_text
from tests.vouchers.issue_helpers import GIRI, URAI, add_recipients, dinsos, this_period  # noqa: F401

START, END = this_period()


@pytest.fixture
def households(app, make_household):
    """Three recipients in Giri Kencana and one in Urai, a blocked and an inactive one."""
    ids = [make_household(GIRI) for _ in range(3)] + [make_household(URAI)]
    ids += [make_household(GIRI, status="blocked"), make_household(GIRI, status="inactive")]
    return ids


def test_issue_gives_each_recipient_one_voucher_once(dinsos, households):  # noqa: F811
    add_recipients(households)
    add_recipients(households[:2])  # on two lists: still one voucher
    add_recipients(households[2:3], program="LPG")  # another program: no Sembako voucher twice
    period = open_period(dinsos, "SEMBAKO", "Tahap 4", START, END)
    preview = issuance_preview(period)
    assert [(r.name, r.households, r.rupiah, r.already) for r in preview.rows] == [
        ("Urai", 1, 200_000, 0),
        ("Giri Kencana", 3, 600_000, 0),
    ] or sorted((r.village_code, r.households) for r in preview.rows) == [(URAI, 1), (GIRI, 3)]
    progress = []
    assert issue_vouchers(period, dinsos, lambda d, t: progress.append((d, t))) == 4
    assert progress[-1] == (4, 4)
    vouchers = db.session.scalars(select(Voucher).order_by(Voucher.household_id)).all()
    assert [v.household_id for v in vouchers] == households[:4]
    for v in vouchers:
        assert (v.value, v.balance, v.state, v.expires_on) == (200_000, 200_000, "active", END)
        assert v.code_hash == code_hash(manual_code(period.id, v.household_id))
    period = db.session.get(DistributionPeriod, period.id)
    assert period.issued_count == 4 and period.issued_at is not None
    # Idempotent: nothing new, and the preview says so.
    assert issue_vouchers(period, dinsos) == 0
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 4
    again = issuance_preview(period)
    assert (again.households, again.already) == (0, 4)
    # A recipient added later gets one on the next run.
    late = db.session.get(Household, households[4])
    late.status = "active"
    db.session.commit()
    assert issue_vouchers(period, dinsos) == 1
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "vouchers.issued").order_by(AuditEvent.seq)
    )
    assert [json.loads(e.details)["issued"] for e in events] == [4, 0, 1]


def test_list_not_valid_on_the_first_day_gives_nothing(dinsos, households):  # noqa: F811
    add_recipients(households, valid_from=START + timedelta(days=1))
    period = open_period(dinsos, "SEMBAKO", "Tahap 4", START, END)
    assert issuance_preview(period).households == 0
    assert issue_vouchers(period, dinsos) == 0


def test_value_follows_the_rule_in_force_on_the_first_day(dinsos, households):  # noqa: F811
    add_recipients(households[:1], program="LPG")
    period = open_period(dinsos, "LPG", "Tahap 4", START, END)
    issue_vouchers(period, dinsos)
    assert db.session.scalar(select(Voucher.value)) == 60_000


def test_is_expired_after_the_last_day(dinsos, households):  # noqa: F811
    voucher = Voucher(expires_on=END)
    assert not is_expired(voucher, END)
    assert is_expired(voucher, END + timedelta(days=1))


def _page(client, auth, make_user, username, role):
    make_user(username, role)
    auth.login(username, f"{username}-pass-123")


def test_issue_button_runs_the_job(app, client, auth, make_user, households):
    with app.test_request_context():
        add_recipients(households)
        period_id = open_period(None, "SEMBAKO", "Tahap 4", START, END).id
    _page(client, auth, make_user, "dinsos2", "dinsos_admin")
    page = client.get(f"/staf/periode/{period_id}")
    text = page_text(page)
    assert "Giri Kencana" in text and "Rp600.000" in text and "Terbitkan voucher" in text
    response = client.post(
        f"/staf/periode/{period_id}/terbitkan", data={"csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 303 and "/staf/tugas/" in response.headers["Location"]
    job_page = page_text(client.get(response.headers["Location"]))
    assert "Penerbitan voucher" in job_page and "4 voucher baru diterbitkan" in job_page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voucher)) == 4
        assert db.session.scalar(select(Job.state)) == "done"
    # htmx: the progress block comes back in place; a second run issues nothing.
    page = client.get(f"/staf/periode/{period_id}")
    assert "Semua penerima sudah punya voucher" in page_text(page)
    response = client.post(
        f"/staf/periode/{period_id}/terbitkan",
        data={"csrf_token": csrf_from(page.data)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and 'id="job-progress"' in response.text
    assert "0 voucher baru" in page_text(response)


def test_village_staff_see_their_villages_only_and_cannot_issue(
    app, client, auth, make_user, households
):
    with app.test_request_context():
        add_recipients(households)
        period = open_period(None, "SEMBAKO", "Tahap 4", START, END)
        issue_vouchers(period, None)
        period_id = period.id
    make_user("opurai", "operator_desa", villages=(URAI,))
    auth.login("opurai", "opurai-pass-123")
    text = page_text(client.get(f"/staf/periode/{period_id}"))
    assert "Urai" in text and "Giri Kencana" not in text
    assert "Terbitkan voucher" not in text
    listed = client.get("/staf/periode/")
    assert ">1<" in listed.text.replace(" ", "")  # one active voucher in Urai, not four
    response = client.post(
        f"/staf/periode/{period_id}/terbitkan", data={"csrf_token": csrf_from(listed.data)}
    )
    assert response.status_code == 403
    assert client.get("/staf/periode/999999").status_code == 404


def test_cli_issue_vouchers_opens_and_issues(app, runner, households):
    with app.app_context():
        add_recipients(households)
    args = ["bansos", "issue-vouchers", "--program", "sembako", "--label", "T4"]
    args += ["--starts", START.isoformat(), "--ends", END.isoformat()]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "4 vouchers issued" in result.output
    result = runner.invoke(args=args)
    assert "0 vouchers issued, 4 in all" in result.output
    with app.app_context():
        period_id = db.session.scalar(select(DistributionPeriod.id))
    result = runner.invoke(args=["bansos", "issue-vouchers", "--period", str(period_id), "--queue"])
    assert result.exit_code == 0 and "Queued job" in result.output
    bad = runner.invoke(args=["bansos", "issue-vouchers", "--period", "999999"])
    assert bad.exit_code != 0 and "No period" in bad.output
    bad = runner.invoke(
        args=["bansos", "issue-vouchers", "--program", "PKH", "--label", "X"]
        + ["--starts", START.isoformat(), "--ends", END.isoformat()]
    )
    assert bad.exit_code != 0 and "Error:" in bad.output


def test_demo_data_issues_vouchers_to_sri_wahyuni(app, demo):
    from bansos_app.merchant.models import Merchant

    with app.app_context():
        hh = db.session.scalar(select(Household).filter_by(kk_number="1703122003180001"))
        programs = db.session.scalars(
            select(Voucher.program_code).where(Voucher.household_id == hh.id)
        ).all()
        assert sorted(programs) == ["LISTRIK", "LPG", "SEMBAKO"]
        shops = db.session.scalars(select(Merchant).order_by(Merchant.id)).all()
        assert [(s.name, s.kind, s.village_code) for s in shops][0] == (
            "E-Warong Sejahtera",
            "sembako",
            GIRI,
        )
        assert sorted(s.kind for s in shops) == ["listrik", "lpg", "sembako"]
