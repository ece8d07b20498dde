"""Every model, imported in one place so that migrations and the app see the whole schema."""
from kiosk.api.models import ApiScope, ApiToken  # noqa: F401
from kiosk.auth.models import LoginAttempt, Role, User  # noqa: F401
from kiosk.companies.models import Company  # noqa: F401
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairEvent, FairStatus, Zone  # noqa: F401
from kiosk.intake.models import LookupMiss  # noqa: F401
from kiosk.ledger.evidence_models import EvidenceFile, FileType  # noqa: F401
from kiosk.ledger.models import CloseOutVerdict, Extension, Mark, ReconciliationRound, RoundItem  # noqa: F401
from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels  # noqa: F401
from kiosk.notifications.models import OutboxMessage  # noqa: F401
from kiosk.scoreboard.models import Disclosure, EfficiencyPoints, PublishedRanking, ScoreWeights  # noqa: F401
from kiosk.service_requests.analysis_copies import CompanyCategory  # noqa: F401
from kiosk.service_requests.models import (  # noqa: F401
    Category,
    Channel,
    EventKind,
    RequestEvent,
    ServiceRequest,
    Status,
    request_joint_booth,
)
from kiosk.slips.models import FollowUpCall, SatisfactionSlip, SlipChannel  # noqa: F401
from kiosk.supervision.handover_models import HandoverEntry, HandoverList  # noqa: F401
from kiosk.supervision.models import SupervisionNotice, SupervisionNoticeItem  # noqa: F401
from kiosk.supervision.parking_models import Parking, ParkingStatus  # noqa: F401
