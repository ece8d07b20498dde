"""The kiosk of an element-guarantee fair (要素保障大集)."""
__version__ = "0.2.0"  # the release: pyproject.toml, the footer, /healthz and CHANGELOG.md read it

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from kiosk import changes  # noqa: F401  (the change listener)
from kiosk.core import config, database
from kiosk.core.extensions import babel, compress, csrf, db, htmx, login_manager, migrate
from kiosk.core.formtools import MAX_ID
from kiosk.scoreboard import ratings  # noqa: F401  (the listener that keeps each request's one rating)
from kiosk.service_requests import analysis_copies  # noqa: F401  (the listeners keeping the bottleneck analysis's copies)


class Kiosk(Flask):
    def send_static_file(self, filename):
        """Static files are small and their URLs versioned: answer them from memory, so that
        Flask-Compress gzips them whole (streamed, it offers no gzip and leaves the file open)."""
        response = super().send_static_file(filename)
        if response.status_code == 200 and response.is_streamed:
            try:
                body = b"".join(response.response)
            finally:
                response.close()
            response.direct_passthrough = False
            response.set_data(body)
        return response


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond any id is a 404, not a database error (SQLite's
    driver overflows, PostgreSQL refuses to compare an integer column with it)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def migrations_folder(app: Flask) -> str:
    """Inside the package in an installed kiosk (the build maps them in: setup.py), at the top of a
    checkout, where Flask-Migrate keeps them."""
    packaged = Path(app.root_path) / "migrations"
    return str(packaged if packaged.is_dir() else Path(app.root_path).parent / "migrations")


def template_names(app: Flask) -> None:
    """What templates may use of the domains, registered here, in one place (the frame's own names:
    kiosk.core.rendering.init_jinja)."""
    from kiosk.fairs.address import base_url
    from kiosk.figures.charts import tally_charts
    from kiosk.ledger.evidence import shown as evidence_shown
    from kiosk.ledger.forms import VerdictForm
    from kiosk.ledger.timeline import stay, timeline
    from kiosk.service_requests.after_fair import END_REASON_LABELS
    from kiosk.service_requests.models import CATEGORY_LABELS
    from kiosk.slips.models import RATED, RATING_LABELS, SlipChannel
    from kiosk.supervision.colours import item_colour
    from kiosk.supervision.handover_figures import awaiting_receipt, receipt_of
    from kiosk.supervision.notices import notices_on

    app.jinja_env.filters["stay"] = stay
    # an item's evidence files (佐证文件) on its page, the tracking page and the trail
    app.jinja_env.globals["evidence_of"] = evidence_shown
    # the handover's receipt on a ledger item's page, and what waits for one on a department's home
    app.jinja_env.globals.update(handover_receipt=receipt_of, receipts_awaiting=awaiting_receipt)
    # an item's colour of the day with why, and the notices that listed it, on its page
    app.jinja_env.globals.update(item_colour=item_colour, item_notices=notices_on)
    app.jinja_env.globals.update(
        tally_charts=tally_charts, fair_address=base_url,
        rating_names=RATED, rating_labels=RATING_LABELS, slip_channels={c.value: c.label for c in SlipChannel},
        category_names={c.value: label for c, label in CATEGORY_LABELS.items()},
        # the reasons a close ended a request, by the value a tally keeps (kiosk.figures.tally)
        end_reason_names={r.value: label for r, label in END_REASON_LABELS.items()},
        company_timeline=lambda item: timeline(item, company=True), new_verdict_form=lambda: VerdictForm(formdata=None))


def create_app(test_config: dict | None = None) -> Flask:
    app = Kiosk(__name__, instance_path=config.instance_folder(), instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    app.json.ensure_ascii = False  # JSON (the API's, its errors) in UTF-8 as is: Chinese readable in curl
    config.load(app)
    app.config["KIOSK_RELEASE"] = __version__  # (the footer and /healthz show it)
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    from kiosk import models  # noqa: F401  (the whole schema, for Flask-Migrate)
    from kiosk.core import rendering
    from kiosk.core.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=migrations_folder(app), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    compress.init_app(app)  # COMPRESS_REGISTER is off: registered below, for responses with a body

    # Registered first, so it runs last of the after_request functions: what the request changed is
    # committed once its answer is final.
    app.after_request(database.commit_at_request_end)

    @app.after_request
    def compress_body(response):
        # Flask-Compress parses Accept-Encoding before it looks at the status; most queue polls
        # are 304s with nothing to compress.
        return response if response.status_code == 304 else compress.after_request(response)
    htmx.init_app(app)
    login_manager.init_app(app)
    rendering.init_jinja(app)
    template_names(app)

    from kiosk import api, cli, health
    from kiosk.auth import views as auth
    from kiosk.booth import bp as booth_bp
    from kiosk.core import bodylimits, errors, i18n, security
    from kiosk.intake import evidence_views as company_evidence  # noqa: F401  (joins intake.bp)
    from kiosk.intake import sms_views, verdict  # noqa: F401  (withdrawing SMS consent, the close-out verdict)
    from kiosk.intake import views as intake
    from kiosk.ledger import evidence_views, round_views  # noqa: F401  (they join the ledger's blueprint)
    from kiosk.ledger import views as ledger
    from kiosk.notifications import bp as notifications_bp
    from kiosk.notifications import (
        channel_views,  # noqa: F401  (the organisers' channels page joins its bp)
        outbox_views,  # noqa: F401  (the organisers' outbox page joins its bp)
        sent_views,  # noqa: F401  (what was sent to whom joins its bp)
    )
    from kiosk.organiser import bp as organiser_bp
    from kiosk.organiser import hall
    from kiosk.scoreboard import public as disclosure
    from kiosk.scoreboard import views as scoreboard
    from kiosk.slips import views as slips
    from kiosk.supervision import analysis_views, handover_views, notice_views, parking_views  # noqa: F401  (its bp)
    from kiosk.supervision import bp as supervision_bp

    app.register_blueprint(i18n.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(booth_bp)
    app.register_blueprint(slips.bp)
    app.register_blueprint(organiser_bp)
    app.register_blueprint(hall.bp)
    app.register_blueprint(intake.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ledger.bp)
    app.register_blueprint(scoreboard.bp)
    app.register_blueprint(disclosure.bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(notifications_bp)
    errors.register(app)
    app.wsgi_app = health.HealthCheck(app.wsgi_app, app)
    security.init(app)
    bodylimits.init(app)  # (after security.init: the larger limit is set before its NUL check reads a body)
    cli.register(app)
    return app
