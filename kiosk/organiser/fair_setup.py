"""A fair's layout: its zones, its booths and the departments that staff them.

The rules live here once for both ways booths arrive: typed in by an organiser (organiser/setup.py)
and read from a spreadsheet (organiser/importing.py), so a code one refuses the other refuses too,
with the same words. Nothing here commits: the caller's unit of work does. Additions are flushed, so
that a booth or zone someone else added at the same moment fails here on the database's unique
constraints, not at the commit.

Corrections (rename, move, hide or delete) follow the same rules. Zones are made only by hand
(add_zone): a zone a sheet names must exist, so a typo in a sheet is an error line, not a new zone on
the tally. Nothing is ever cut to fit a column: a value too long is refused.
"""
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, Zone
from kiosk.service_requests.models import RequestEvent, ServiceRequest, request_joint_booth

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
    "unknown_zone": _l("本场大集没有专区“%(name)s”，现有专区：%(zones)s。请先在大集页面添加专区"),
    "zone_has_booths": _l("专区“%(name)s”还有%(n)d个摊位，请先把摊位移到其他专区或删除"),
    "name_missing": _l("请填写名称"),
    "department_name_taken": _l("已有名为“%(name)s”的部门或机构"),
}


class SetupRefused(Refused):
    """Something a fair's layout cannot take.

    field names the part of the entry at fault, as the booth and zone forms name their fields, so a
    view puts the message beside it; params fill the message's blanks (the code, the name).
    """
    MESSAGES = MESSAGES

    def __init__(self, code: str, field: str, /, **params):  # (a blank may be called code too)
        super().__init__(code, **params)
        self.field = field


def normalise_code(raw: str | None) -> str:
    """A booth code as stored and printed however it was typed: no spaces around it, capital letters
    (b07 on a form or in a sheet is B07)."""
    return (raw or "").strip().upper()


def booth_problems(fair: Fair, code: str | None, department: str | None,
                   zone: Zone | str | None) -> list[SetupRefused]:
    """Every rule a new booth would break, the code's first; empty if the fair can take it.

    zone is one of the fair's zones, or the name of one (a sheet names its zones; an unknown name is
    refused, naming the fair's zones), or None when none was chosen. The booth's code must be unique
    in the fair, and a department has one booth per fair. Checked against the fair's booths as they
    stand in this unit of work, booths added earlier in it included.
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
        problems.extend(zone_name_problems(fair, zone))
    elif zone is None or zone not in fair.zones:
        problems.append(SetupRefused("no_zone", "zone"))
    return problems


def zone_name_problems(fair: Fair, name: str) -> list[SetupRefused]:
    """Why a zone a sheet names cannot be used: too long for its column, or not one of the fair's."""
    name = name.strip()
    if len(name) > ZONE_NAME_MAX:
        return [SetupRefused("name_too_long", "zone")]
    if not any(z.name == name for z in fair.zones):
        return [SetupRefused("unknown_zone", "zone", name=name,
                             zones="、".join(z.name for z in fair.zones) or "—")]
    return []


def add_booth(fair: Fair, zone: Zone | str, code: str, department: str, kind: DepartmentKind) -> Booth:
    """A department's booth at the fair, in the zone given (or named: it must exist). The department is
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
    """The fair's zone of this name; SetupRefused("unknown_zone") if it has none."""
    if problems := zone_name_problems(fair, name):
        raise problems[0]
    return next(z for z in fair.zones if z.name == name.strip())


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


# Corrections ---------------------------------------------------------------------------------------

def rename_booth(booth: Booth, code: str) -> None:
    """A new code for the booth (posters already printed show the old one; tickets keep theirs).
    Raises SetupRefused: the code's pattern, or a code another booth of the fair has."""
    code = normalise_code(code)
    if not CODE.fullmatch(code):
        raise SetupRefused("code_pattern", "code", code=code)
    if any(b.code == code and b is not booth for b in booth.fair.booths):
        raise SetupRefused("code_taken", "code", code=code)
    if booth.code != code:
        booth.code = code
        db.session.flush()


def move_booth(booth: Booth, zone: Zone | str | None) -> None:
    """The booth into another of its fair's zones (given, or named). Raises SetupRefused("no_zone")."""
    if isinstance(zone, str):
        zone = zone_named(booth.fair, zone)
    if zone is None or zone not in booth.fair.zones:
        raise SetupRefused("no_zone", "zone")
    if booth.zone is not zone:
        booth.zone = zone
        db.session.flush()


def department_problems(department: Department | None, name: str | None) -> list[SetupRefused]:
    """Why a department (None: a new one) cannot take this name: empty, too long, or another's.
    Departments last across fairs, so a name is unique among all of them."""
    name = (name or "").strip()
    if not name:
        return [SetupRefused("name_missing", "department")]
    if len(name) > DEPARTMENT_NAME_MAX:
        return [SetupRefused("name_too_long", "department")]
    other = db.session.scalar(sa.select(Department).filter_by(name=name))
    if other is not None and other is not department:
        return [SetupRefused("department_name_taken", "department", name=name)]
    return []


def edit_department(department: Department, name: str, kind: DepartmentKind) -> None:
    """A department's name and kind, corrected: one department, so at every fair it has a booth.
    Raises SetupRefused from department_problems."""
    if problems := department_problems(department, name):
        raise problems[0]
    department.name, department.kind = name.strip(), kind
    db.session.flush()


def booth_in_use(booth: Booth) -> bool:
    """Whether any request was ever at the booth: filed there, joined to it, transferred from or to
    it, or acted on by its staff. Such a booth is on the trail and the tally and is never deleted."""
    staff = sa.select(User.id).where(User.booth_id == booth.id)
    uses = sa.union_all(
        sa.select(ServiceRequest.id).where(ServiceRequest.booth_id == booth.id),
        sa.select(request_joint_booth.c.request_id).where(request_joint_booth.c.booth_id == booth.id),
        sa.select(RequestEvent.id).where(sa.or_(RequestEvent.from_booth_id == booth.id,
                                                RequestEvent.to_booth_id == booth.id,
                                                RequestEvent.actor_id.in_(staff))))
    return db.session.execute(sa.select(sa.exists(uses.subquery().select()))).scalar_one()


def delete_or_hide_booth(booth: Booth) -> str:
    """Delete a booth no request ever reached ("deleted"): its staff account goes with it (the
    database cascades) and so does its department if no other booth at any fair has it. A booth
    with requests is hidden instead ("hidden"): it takes no more requests but stays on the trail,
    the dashboard and the tally with the requests it took."""
    if booth_in_use(booth):
        booth.hidden = True
        db.session.flush()
        return "hidden"
    department, fair, zone = booth.department, booth.fair, booth.zone
    db.session.delete(booth)
    db.session.flush()
    db.session.expire(fair, ["booths"])  # loaded lists would go on showing it
    db.session.expire(zone, ["booths"])
    others = sa.select(sa.func.count()).select_from(Booth).where(Booth.department_id == department.id)
    if db.session.scalar(others) == 0:
        db.session.delete(department)
        db.session.flush()
    return "deleted"


def show_booth(booth: Booth) -> None:
    """A hidden booth takes requests again."""
    booth.hidden = False
    db.session.flush()


def rename_zone(zone: Zone, name: str) -> None:
    """Raises SetupRefused: empty, too long, or a name another zone of the fair has."""
    name = (name or "").strip()
    if not name:
        raise SetupRefused("name_missing", "name")
    if len(name) > ZONE_NAME_MAX:
        raise SetupRefused("name_too_long", "name")
    if any(z.name == name and z is not zone for z in zone.fair.zones):
        raise SetupRefused("zone_taken", "name")
    zone.name = name
    db.session.flush()


def delete_zone(zone: Zone) -> None:
    """Raises SetupRefused("zone_has_booths"): a booth is never left without a zone."""
    if zone.booths:
        raise SetupRefused("zone_has_booths", "name", name=zone.name, n=len(zone.booths))
    zone.fair.zones.remove(zone)
    db.session.delete(zone)
    db.session.flush()


# Re-importing a sheet ------------------------------------------------------------------------------

@dataclass
class SheetBooth:
    """One row of a booth sheet, as read (the line is the sheet's, for messages)."""
    line: int
    code: str
    department: str
    kind: DepartmentKind
    zone: str


#: what a row may change in a booth, as the preview names it
CHANGED = {"department": _l("名称"), "zone": _l("专区"), "kind": _l("类型")}


@dataclass
class Change:
    #: a key of CHANGED
    what: str
    before: str | DepartmentKind
    after: str | DepartmentKind

    @property
    def label(self):
        return CHANGED[self.what]

    @property
    def shown(self) -> tuple:
        """(before, after) as the preview shows them: a kind by its name."""
        return tuple(v.label if isinstance(v, DepartmentKind) else v for v in (self.before, self.after))


@dataclass
class PlannedBooth:
    """What applying one row will do: add a booth (booth None), change one, or nothing."""
    row: SheetBooth
    booth: Booth | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.booth is None

    @property
    def is_unchanged(self) -> bool:
        return self.booth is not None and not self.changes


def plan_row(fair: Fair, row: SheetBooth) -> PlannedBooth | SetupRefused:
    """What the row would do to the fair, matched to a booth by its code; or the first rule it
    breaks. Reads only."""
    booth = next((b for b in fair.booths if b.code == row.code), None)
    if booth is None:
        problems = booth_problems(fair, row.code, row.department, row.zone)
        return problems[0] if problems else PlannedBooth(row)
    problems = zone_name_problems(fair, row.zone)
    if row.department != booth.department.name:
        problems += department_problems(booth.department, row.department)
    if problems:
        return problems[0]
    planned = PlannedBooth(row, booth)
    if row.department != booth.department.name:
        planned.changes.append(Change("department", booth.department.name, row.department))
    if row.zone != booth.zone.name:
        planned.changes.append(Change("zone", booth.zone.name, row.zone))
    if row.kind is not booth.department.kind:
        planned.changes.append(Change("kind", booth.department.kind, row.kind))
    return planned


def apply_plan(fair: Fair, plan: list[PlannedBooth]) -> tuple[int, int]:
    """Make the planned changes: (booths added, booths changed). Booths the sheet does not name are
    left as they are. Does not commit: the caller's unit of work applies all of it or none."""
    added = changed = 0
    for planned in plan:
        row = planned.row
        if planned.is_new:
            add_booth(fair, row.zone, row.code, row.department, row.kind)
            added += 1
        elif planned.changes:
            edit_department(planned.booth.department, row.department, row.kind)
            move_booth(planned.booth, row.zone)
            changed += 1
    return added, changed
