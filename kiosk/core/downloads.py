"""A generated file as the browser downloads it: outputs are (filename, mimetype, bytes), and
delivering them is this one function's job."""
from flask import make_response


def download(filename: str, mimetype: str, data: bytes):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
