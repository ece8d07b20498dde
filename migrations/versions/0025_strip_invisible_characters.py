"""stored text loses its invisible characters (direction overrides, zero-width spaces), as the forms
now store it

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 10:00:00

Text typed before the forms took them out (kiosk.core.formtools.INVISIBLE) may hold a right-to-left
override that shows a note reversed to the staff reading it, or a zero-width space that makes a
department or zone a second one of the same name to the eye. Each text a person typed loses them,
is made NFC again and trimmed, as clean_text now stores it; nothing else is changed, and only rows
holding one are written. Written out here rather than imported: a migration must do the same thing
whatever the app's code becomes.

Department names are unique, and zone names within their fair: a name that, cleaned, is another's
is told apart by a visible number, 自然资源局（2）, for an organiser to merge or rename; a name that
was nothing but invisible characters becomes （1）.

Left as they are: what is frozen as published or closed (a published ranking's or disclosure's
note, the figures rounds and rankings froze), codes and usernames (their patterns never let these
characters in), and tokens and hashes.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                       "\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]")
#: the text columns people type, by table; the names of UNIQUE below are unique
COLUMNS = {
    "company": ("name",),
    "fair": ("name", "venue"),
    "service_request": ("company_name", "need", "project_name", "contact_name", "contact_mobile", "resolution",
                        "plan_text", "plan_unit", "plan_person", "closeout_result", "closeout_evidence"),
    "user": ("display_name",),
    "api_token": ("name",),
    "request_event": ("detail",),
    "fair_event": ("reason",),
    "satisfaction_slip": ("comment", "paper_number"),
    "follow_up_call": ("spoke_with", "said", "fixed"),
    "extension": ("reason",),
    "close_out_verdict": ("words",),
    "round_item": ("note",),
    "efficiency_points": ("note",),
}
#: table -> (its name column, the column its names are unique within or None, the column's width)
UNIQUE = {"department": ("name", None, 200), "zone": ("name", "fair_id", 100)}


def clean(value):
    if not isinstance(value, str) or not INVISIBLE.search(value):
        return value
    return unicodedata.normalize("NFC", INVISIBLE.sub("", value)).strip().strip("\u3000")


def upgrade():
    connection = op.get_bind()
    present = set(sa.inspect(connection).get_table_names())
    for name, columns in COLUMNS.items():
        if name not in present:
            continue
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in connection.execute(sa.select(table).order_by(table.c.id)).mappings().all():
            changed = {c: clean(row[c]) for c in columns if clean(row[c]) != row[c]}
            if changed:
                connection.execute(sa.update(table).where(table.c.id == row["id"]).values(**changed))
    for name, (column, within, width) in UNIQUE.items():
        if name in present:
            _clean_unique(connection, name, column, within, width)


def _clean_unique(connection, name, column, within, width):
    table = sa.table(name, sa.column("id"), sa.column(column), *([sa.column(within)] if within else []))
    rows = connection.execute(sa.select(table).order_by(table.c.id)).mappings().all()
    scope = (lambda row: row[within]) if within else (lambda row: None)
    taken = {(scope(row), row[column]) for row in rows if clean(row[column]) == row[column]}
    for row in rows:
        cleaned = clean(row[column])
        if cleaned == row[column]:
            continue
        new, n = cleaned, 1 if not cleaned else 2
        while not new or (scope(row), new) in taken:
            suffix = f"（{n}）"
            new, n = cleaned[:width - len(suffix)] + suffix, n + 1
        taken.add((scope(row), new))
        connection.execute(sa.update(table).where(table.c.id == row["id"]).values({column: new}))


def downgrade():
    pass  # the characters removed were never meant; there is nothing to put back
