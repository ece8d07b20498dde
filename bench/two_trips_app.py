"""The kiosk, with the submit's old answer put back for requests that ask for it (X-Bench-Trips: 2):
an empty body and HX-Redirect to the ticket page, which htmx then fetched in a second round trip.
For bench/tap_to_ticket.py, which times both paths against one server in one run."""
from kiosk import create_app

kiosk = create_app()


def app(environ, start_response):
    if environ.get("HTTP_X_BENCH_TRIPS") != "2":
        return kiosk(environ, start_response)

    def old_answer(status, headers, exc_info=None):
        target = {name.lower(): value for name, value in headers}.get("hx-push-url")
        if target is None:
            return start_response(status, headers, exc_info)
        kept = [(name, value) for name, value in headers
                if name.lower() not in ("hx-push-url", "hx-retarget", "hx-reswap", "content-length",
                                        "content-encoding", "vary", "content-type")]
        old_answer.replaced = True
        return start_response(status, [*kept, ("HX-Redirect", target), ("Content-Length", "0")], exc_info)

    old_answer.replaced = False
    body = kiosk(environ, old_answer)
    if old_answer.replaced:
        if hasattr(body, "close"):
            body.close()
        return [b""]
    return body
