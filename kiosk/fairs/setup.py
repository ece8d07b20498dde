"""A fair's layout: its zones, its booths and the departments that staff them.

The rules live here once for both ways booths arrive: typed in by an organiser (organiser/setup.py)
and read from a spreadsheet (organiser/importing.py), so a code one refuses the other refuses too,
with the same words. Nothing here commits: the caller's unit of work does. Additions are flushed, so
that a booth or zone someone else added at the same moment fails here on the database's unique
constraints, not at the commit.
"""
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, Zone
from kiosk.refusals import Refused, filled

#: one capital letter and two or three digits, e.g. B07: short on a poster, quick to type into /b/<code>
CODE = re.compile(r"[A-Z][0-9]{2,3}")
#: the widths of the name columns (Department.name, Zone.name)
DEPARTMENT_NAME_MAX = 200
ZONE_NAME_MAX = 100

MESSAGES = {
    "code_pattern": _l("摊位号应为一个大写字母加两到三位数字，如 B07"),
    "code_taken": _l("摊位号 %(code)s 在本场大集已存在"),
    "department_taken": _l("“%(name)s”在本场大集已有摊位"),
    "name_too_long": _l("名称过长"),
    "no_zone": _l("请先添加专区，再选择专区"),
    "zone_taken": _l("本场大集已有这个专区"),
}


class SetupRefused(Refused):
    """Something a fair's layout cannot take.

    field names the part of the entry at fault, as the booth and zone forms name their fields, so a
    view puts the message beside it; params fill the message's blanks (the code, the name).
    """
    MESSAGES = MESSAGES

    def __init__(self, code: str, field: str, /, **params):  # (a blank may be called code too)
        super().__init__(code)
        self.field = field
        self.params = params

    @property
    def message(self):
        return filled(self.MESSAGES[self.code], **self.params)


def normalise_code(raw: str | None) -> str:
    """A booth code as stored and printed however it was typed: no spaces around it, capital letters
    (b07 on a form or in a sheet is B07)."""
    return (raw or "").strip().upper()


def booth_problems(fair: Fair, code: str | None, department: str | None,
                   zone: Zone | str | None) -> list[SetupRefused]:
    """Every rule a new booth would break, the code's first; empty if the fair can take it.

    zone is one of the fair's zones, or the name of a zone to find or make (a sheet names its zones),
    or None when none was chosen. The booth's code must be unique in the fair, and a department has
    one booth per fair. Checked against the fair's booths as they stand in this unit of work, booths
    added earlier in it included.
    """
    code, department = normalise_code(code), (department or "").strip()
    problems = []
    if not CODE.fullmatch(code):
        problems.append(SetupRefused("code_pattern", "code", code=code))
    elif any(b.code == code for b in fair.booths):
        problems.append(SetupRefused("code_taken", "code", code=code))
    if len(department) > DEPARTMENT_NAME_MAX:
        problems.append(SetupRefused("name_too_long", "department"))
    elif department and any(b.department.name == department for b in fair.booths):
        problems.append(SetupRefused("department_taken", "department", name=department))
    if isinstance(zone, str):
        if len(zone) > ZONE_NAME_MAX:
            problems.append(SetupRefused("name_too_long", "zone"))
    elif zone is None or zone not in fair.zones:
        problems.append(SetupRefused("no_zone", "zone"))
    return problems


def add_booth(fair: Fair, zone: Zone | str, code: str, department: str, kind: DepartmentKind) -> Booth:
    """A department's booth at the fair, in the zone given (by name: found or made). The department is
    found by its name, or made with the kind given: departments last across fairs, and an existing
    one keeps its kind. Raises SetupRefused with the first of booth_problems."""
    problems = booth_problems(fair, code, department, zone)
    if problems:
        raise problems[0]
    if isinstance(zone, str):
        zone = zone_named(fair, zone)
    booth = Booth(fair=fair, zone=zone, department=department_named(department.strip(), kind),
                  code=normalise_code(code))
    db.session.add(booth)
    db.session.flush()
    return booth


def add_zone(fair: Fair, name: str) -> Zone:
    """A new zone, listed after the fair's others. Raises SetupRefused: a name the fair already has
    (tallies group by zone, so two of one name would be one), or one too long."""
    name = name.strip()
    if len(name) > ZONE_NAME_MAX:
        raise SetupRefused("name_too_long", "name")
    if any(z.name == name for z in fair.zones):
        raise SetupRefused("zone_taken", "name")
    zone = Zone(fair=fair, name=name, position=len(fair.zones) + 1)
    db.session.add(zone)
    db.session.flush()
    return zone


def zone_named(fair: Fair, name: str) -> Zone:
    """The fair's zone of this name, made if it has none."""
    return next((z for z in fair.zones if z.name == name.strip()), None) or add_zone(fair, name)


def fair_zone(fair: Fair, zone_id: int | None) -> Zone | None:
    """The zone of this id if it is one of the fair's (a form's choice may name another fair's)."""
    return next((z for z in fair.zones if z.id == zone_id), None)


def department_named(name: str, kind: DepartmentKind) -> Department:
    """The department of this name, or a new one of this kind."""
    department = db.session.scalar(sa.select(Department).filter_by(name=name))
    if department is None:
        department = Department(name=name, kind=kind)
        db.session.add(department)
    return department
