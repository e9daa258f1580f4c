"""The issuance benchmark on a few hundred households, so that its code cannot rot unnoticed."""

from bansos_app.extensions import db
from bench import issuance
from bench.scale import load_households


def test_issuance_bench_runs_twice(app, regions):
    with app.app_context():
        load_households(300, seed=6)
        db.session.commit()
    lines = []
    first = issuance.run(app, recipients=200, out=lines.append)
    assert (first["issued"], first["again"]) == (200, 0), lines
    second = issuance.run(app, recipients=200, out=lines.append)  # a fresh period each run
    assert second["issued"] == 200, lines
