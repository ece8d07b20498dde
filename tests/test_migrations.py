"""The schema of a real database comes only from migrations, and matches the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from kiosk import create_app
from kiosk.core.extensions import db
from tests.conftest import POSTGRES_URL


def test_the_suite_runs_on_the_database_it_was_given(app):
    assert db.engine.dialect.name == ("postgresql" if POSTGRES_URL else "sqlite")


def test_upgrade_on_an_empty_database_gives_the_models_schema(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(db.inspect(db.engine).get_table_names())
        assert {"fair", "zone", "department", "booth", "company", "service_request", "request_event",
                "request_joint_booth", "satisfaction_slip", "user"} <= tables
        db.engine.dispose()


def test_downgrade_to_nothing_and_back(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "service_request" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
