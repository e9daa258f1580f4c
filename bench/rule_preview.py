"""Time the rule-change impact preview on PostgreSQL with N demo households (default 250,000).

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bansos_bench \\
       python -m bench.rule_preview [--households N]
Loads demo data once (about 4 minutes for 250,000), then prints one line per draft and run.
"""

import argparse
import os
import time
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import func, select

from bansos_app import create_app
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.rules import RuleDraft, preview_rule_change
from bansos_app.extensions import db
from bansos_app.registry.models import Household

COMPONENTS = {
    "pregnant": 3_000_000,
    "child_0_6": 3_000_000,
    "SD": 900_000,
    "SMP": 1_500_000,
    "SMA": 2_000_000,
    "disability": 2_400_000,
    "elderly": 2_400_000,
}


def main() -> None:
    """Load the households if missing, then time four typical drafts three times each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Household))
    if have < args.households:
        runner = app.test_cli_runner()
        runner.invoke(args=["bansos", "demo-data", "--households", str(args.households)])
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))
        day = (local_today().replace(day=1) + timedelta(days=32)).replace(day=1)
        drafts = [
            ("Sembako desil 1-4", "SEMBAKO", RuleDraft(day, 1, 4, "bench", amount=200_000)),
            ("Sembako desil 1-9", "SEMBAKO", RuleDraft(day, 1, 9, "bench", amount=200_000)),
            ("PKH desil 1-3, cap 3", "PKH", RuleDraft(day, 1, 3, "b", None, 3, 60, COMPONENTS)),
            ("PKH elderly from 65", "PKH", RuleDraft(day, 1, 4, "b", None, 4, 65, COMPONENTS)),
        ]
        for name, code, draft in drafts:
            for _ in range(3):
                started = time.perf_counter()
                preview = preview_rule_change(code, draft)
                took = time.perf_counter() - started
                print(f"impact preview, {name}: {took:.2f} s (+{preview.gain} -{preview.lose})")
                db.session.rollback()


if __name__ == "__main__":
    main()
