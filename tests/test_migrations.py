"""The schema of a real database comes only from migrations, and matches the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from kiosk import create_app
from kiosk.extensions import db


def test_upgrade_on_an_empty_database_gives_the_models_schema(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}", "SECRET_KEY": "t"})
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


def test_downgrade_to_nothing_and_back(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}", "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "service_request" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
