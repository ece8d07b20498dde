"""/healthz: whether this app server can serve, for nginx, a load balancer or a monitor.

200 when the database answers and its schema is the one this code was written for (the newest
migration, as `kiosk db upgrade` leaves it); 503 otherwise, with one line saying why. Either names
the release the server runs, so that a monitor sees which servers an upgrade has reached. A server whose
schema is behind, or ahead (a newer release migrated it), is taken out of service until that is
put right, rather than failing requests one by one.

It is answered in front of the Flask app, as WSGI middleware, not as a route: a load balancer asks
every few seconds, and here no session is opened, no cookie set, no before_request hook runs
(the slip-mode guard, the sign-in counters) and nothing is committed. One round trip: a SELECT on
a connection in autocommit mode, so no BEGIN or ROLLBACK around it.
"""
import sqlalchemy as sa

from kiosk.core.extensions import db

PATH = "/healthz"
_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff")]
_STATUS = {200: "200 OK", 405: "405 Method Not Allowed", 503: "503 Service Unavailable"}


class HealthCheck:
    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        self._heads = None  # read from the migration scripts at the first check

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            status, text = 405, "GET or HEAD"
        else:
            status, text = self.check()
        body = f"{text}\n".encode()
        start_response(_STATUS[status], [*_HEADERS, ("Content-Length", str(len(body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def check(self) -> tuple[int, str]:
        with self.app.app_context():
            heads = self.heads()
            try:
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    at = set(connection.execute(_AT).scalars())
            except sa.exc.SQLAlchemyError as error:
                # Unreachable, or no schema at all (no alembic_version table): the log says which.
                self.app.logger.warning("health check: %s", error)
                return 503, "database unreachable or without a schema"
        release = self.app.config["KIOSK_RELEASE"]
        if at != heads:
            return 503, (f"kiosk {release}: schema at {', '.join(sorted(at)) or 'nothing'}, this code needs "
                         f"{', '.join(sorted(heads))}: run `kiosk db upgrade` with this code, or serve the code "
                         "the schema was made for")
        return 200, f"ok: kiosk {release}, database reachable, schema at {', '.join(sorted(heads))}"

    def heads(self) -> set[str]:
        """The newest migrations' revisions (one, unless the migrations have branches)."""
        if self._heads is None:
            from alembic.script import ScriptDirectory
            self._heads = set(ScriptDirectory(self.app.extensions["migrate"].directory).get_heads())
        return self._heads


_AT = sa.text("SELECT version_num FROM alembic_version")
