"""One template serves the page and its fragments: a block is rendered alone for htmx."""
import hashlib
from pathlib import Path

from flask import current_app, url_for


def render_block(template_name: str, block: str, **context) -> str:
    """Render one {% block %} of a template with the same context a whole page would get.

    Imports a block needs must sit inside the block, since the rest of the template is not run.
    """
    current_app.update_template_context(context)
    template = current_app.jinja_env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def asset(filename: str) -> str:
    """A static file's URL with its content hash, so phones may cache it for a year."""
    versions = current_app.extensions.setdefault("asset_versions", {})
    if filename not in versions:
        data = (Path(current_app.static_folder) / filename).read_bytes()
        versions[filename] = hashlib.sha256(data).hexdigest()[:10]
    return url_for("static", filename=filename, v=versions[filename])
