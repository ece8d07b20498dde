"""The request a phone has just filed, as its ticket page shows it, made from what the filing wrote
and read: the page that answers a submission then needs no read of its own. On PostgreSQL that
read was a round trip and a quarter of a submission's work, when hundreds arrive at once
(bench/bursts.py)."""
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.intake.service import Filed, Intake
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status


def just_filed(filed: Filed, intake: Intake) -> ServiceRequest | None:
    """The request as the database now holds it: waiting at its booth, with the one line of trail
    its filing wrote. It is never added to the session, so nothing of it is written again.

    None for a request that this submission key filed before: that one may have moved since, and
    is read.
    """
    if filed.filed_at is None:
        return None
    # The filing succeeded, so the fair was open (intake.service checks it as it files).
    fair = Fair(id=filed.fair_id, name=filed.fair_name, status=FairStatus.open)
    booth = Booth(id=intake.booth_id, code=filed.booth_code, fair_id=fair.id, fair=fair,
                  department=Department(name=filed.booth_name))  # (a booth is named after its department)
    submitted = RequestEvent(request_id=filed.id, kind=EventKind.submitted, created_at=filed.filed_at,
                             to_status=Status.waiting, to_booth_id=booth.id, to_booth=booth)
    return ServiceRequest(
        id=filed.id, token=filed.token, ticket_no=filed.ticket_no, version=1, fair_id=fair.id, fair=fair,
        booth_id=booth.id, booth=booth, channel=Channel.phone, status=Status.waiting, company_name=intake.company_name,
        contact_name=intake.contact_name, contact_mobile=intake.mobile, category=intake.category, need=intake.need,
        project_name=intake.project_name or None,
        amount_wan=intake.amount_wan if intake.category is Category.funding else None, device=intake.device,
        created_at=filed.filed_at, updated_at=filed.filed_at, events=[submitted],
        sms_consent_at=filed.filed_at if intake.sms_consent else None)
