"""stored text loses its control characters and is NFC, as the forms now store it

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 14:40:00

Text filed before the forms cleaned it (kiosk.core.formtools.clean_text) may hold a \\x1b or \\x0b that
broke the XLSX export and garbled PDFs. Line breaks and tabs stay; nothing else is changed, and
only rows that change are written. Written out here rather than imported: a migration must do
the same thing whatever the app's code becomes.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: the text columns anyone outside the organisers typed, by table
COLUMNS = {
    "service_request": ("company_name", "need", "project_name", "contact_name", "contact_mobile", "resolution",
                        "plan_text", "plan_unit", "plan_person", "closeout_result"),
    "company": ("name",),
    "request_event": ("detail",),
    "satisfaction_slip": ("comment",),
    "follow_up_call": ("spoke_with", "said", "fixed"),
}


def clean(value):
    if not isinstance(value, str):
        return value
    return CONTROL.sub("", unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")))


def upgrade():
    connection = op.get_bind()
    present = set(sa.inspect(connection).get_table_names())
    for name, columns in COLUMNS.items():
        if name not in present:
            continue
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in connection.execute(sa.select(table)).mappings().all():
            changed = {c: clean(row[c]) for c in columns if clean(row[c]) != row[c]}
            if changed:
                connection.execute(sa.update(table).where(table.c.id == row["id"]).values(**changed))


def downgrade():
    pass  # the characters removed were never text; there is nothing to put back
