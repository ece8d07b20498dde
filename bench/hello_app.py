"""The kiosk plus a bare hello-world route, so a benchmark can compare both under one server."""
from kiosk import create_app

app = create_app()


@app.get("/bench/hello")
def hello():
    return "Hello, World!"
