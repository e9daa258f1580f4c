"""Registry page fixtures."""

import pytest


@pytest.fixture
def evaluate(app):
    """Store answers for households by id, or for all (demo data carries none of its own)."""
    from bansos_app.eligibility.evaluation import evaluate as evaluate_set
    from bansos_app.eligibility.evaluation import local_today
    from bansos_app.extensions import db

    def run(*ids):
        with app.app_context():
            evaluate_set(local_today(), list(ids) or None)
            db.session.commit()

    return run
