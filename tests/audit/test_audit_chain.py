"""The audit log: events in the caller's transaction, a hash chain that shows tampering."""

import json

import pytest
from sqlalchemy import select, text

from bansos_app.audit.models import GENESIS, AuditEvent, AuditHead
from bansos_app.audit.services import record, verify_chain
from bansos_app.extensions import db
from tests.conftest import run_at_once


def _append(n: int) -> None:
    """Append n events, one transaction each."""
    for i in range(n):
        record(None, "test.event", object_type="thing", n=i)
        db.session.commit()


@pytest.fixture
def chain(app):
    """Five committed events, seq 1..5."""
    with app.app_context():
        _append(5)


def _verify(runner):
    return runner.invoke(args=["bansos", "audit-verify"])


def _raw(app, sql: str, **params) -> None:
    """Run a raw SQL statement the way someone tampering with the database would."""
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def test_record_links_each_event_to_the_previous(ctx):
    first = record(None, "test.first", object_type="thing", value=1)
    second = record(None, "test.second", object_type="thing", value=2)
    db.session.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert second.details == '{"value": 2}'
    head = db.session.get(AuditHead, 1)
    assert (head.seq, head.hash) == (2, second.hash)
    assert verify_chain().ok


def test_record_is_part_of_the_callers_transaction(ctx):
    record(None, "test.kept")
    db.session.commit()
    record(None, "test.rolled_back")
    db.session.rollback()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["test.kept"]
    assert db.session.get(AuditHead, 1).seq == 1
    # The next event takes the seq the rolled-back one would have had.
    assert record(None, "test.next").seq == 2
    db.session.commit()
    assert verify_chain().ok


def test_verify_passes_on_an_empty_log(runner):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "0 events" in result.output


def test_verify_fails_when_demo_data_lost_its_whole_log(app, runner, demo):
    """Every event and the head deleted: accounts and households with no history are broken."""
    _raw(app, "DELETE FROM audit_event")
    _raw(app, "DELETE FROM audit_head")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN" in result.output
    assert "no audit events" in result.output


def test_verify_fails_on_events_without_a_head(app, runner, chain):
    _raw(app, "DELETE FROM audit_head")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "head missing" in result.output


def test_verify_fails_on_an_account_with_no_events(app, runner, make_user):
    make_user("someone")
    _raw(app, "DELETE FROM audit_event")
    _raw(app, "DELETE FROM audit_head")
    assert _verify(runner).exit_code == 1


def test_verify_passes_on_an_intact_chain(runner, chain):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert "5 events" in result.output


def test_verify_passes_on_demo_data(runner, demo):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        pytest.param(
            "UPDATE audit_event SET details = '{\"n\": 99}' WHERE seq = 3", 3, id="middle-edited"
        ),
        pytest.param("DELETE FROM audit_event WHERE seq = 3", 3, id="middle-deleted"),
        pytest.param("DELETE FROM audit_event WHERE seq = 5", 5, id="newest-deleted"),
        pytest.param(
            "UPDATE audit_event SET action = 'test.forged' WHERE seq = 5", 5, id="newest-edited"
        ),
    ],
)
def test_verify_fails_naming_the_first_broken_event(app, runner, chain, sql, broken):
    _raw(app, sql)
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"BROKEN at event #{broken}:" in result.output


def test_verify_detects_a_recomputed_hash_via_the_next_link(app, runner, chain):
    """Rewriting an event and its own hash still breaks the link from the next event."""
    from bansos_app.audit.services import _digest

    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        event.details = '{"n": 42}'
        event.hash = _digest(event)
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert "BROKEN at event #3:" in result.output


def test_concurrent_writers_keep_one_chain(app, runner):
    """Forty writers appending at the same moment leave seq 1..40 and a chain that verifies."""
    writers = 40

    def append(worker: int) -> None:
        record(None, "test.concurrent", object_type="worker", w=worker)
        db.session.commit()

    run_at_once(app, writers, append)
    with app.app_context():
        seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        details = db.session.execute(text("SELECT details FROM audit_event")).scalars().all()
    assert seqs == list(range(1, writers + 1))
    assert sorted(json.loads(d)["w"] for d in details) == list(range(writers))
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert f"{writers} events" in result.output


def _delete_newest_and_rewind_head(app) -> None:
    """Write three events, then delete the third and move the head back onto the second."""
    with app.app_context():
        for i in range(3):
            record(None, "test.event", object_type="thing", i=i)
        db.session.commit()
        second_hash = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 2))
    _raw(app, "DELETE FROM audit_event WHERE seq = 3")
    _raw(app, "UPDATE audit_head SET seq = 2, hash = :h WHERE id = 1", h=second_hash)


def test_rewinding_the_head_after_deleting_the_newest_event_is_caught(app, runner):
    """Deleting the newest event and moving the head back to match still fails: it is signed."""
    _delete_newest_and_rewind_head(app)
    result = _verify(runner)
    assert result.exit_code != 0
    assert "head signature" in result.output


def test_a_write_after_rewinding_the_head_does_not_hide_it(app, runner):
    """The next ordinary write records the mismatch instead of signing over it."""
    _delete_newest_and_rewind_head(app)
    with app.app_context():
        record(None, "test.later", object_type="thing")
        db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert "#3" in result.output and "head signature was wrong" in result.output


def test_upgrade_signs_an_existing_head(tmp_path):
    """A chain written before migration 0004 still verifies after it: the upgrade signs it."""
    from datetime import datetime

    from flask_migrate import upgrade

    from bansos_app import create_app
    from bansos_app.audit.models import GENESIS
    from bansos_app.audit.services import _digest

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"})
    old = AuditEvent(
        seq=1,
        created_at=datetime(2026, 1, 2, 3, 4, 5),
        actor_id=None,
        action="test.before_0004",
        object_type="",
        object_id="",
        details="{}",
        prev_hash=GENESIS,
    )
    old.hash = _digest(old)
    with app.app_context():
        upgrade(revision="0003")
        db.session.execute(
            text(
                "INSERT INTO audit_event (seq, created_at, action, object_type, object_id, "
                "details, prev_hash, hash) VALUES (1, :t, :a, '', '', '{}', :p, :h)"
            ),
            {"t": old.created_at, "a": old.action, "p": GENESIS, "h": old.hash},
        )
        db.session.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 1, :h)"), {"h": old.hash}
        )
        db.session.commit()
        upgrade()
    result = app.test_cli_runner().invoke(args=["bansos", "audit-verify"])
    assert result.exit_code == 0, result.output
    assert "1 events" in result.output
