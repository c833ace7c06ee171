"""Codes shared by the pure rules and the ORM: defined here once, imported everywhere.

Nothing here imports Odoo. The ORM turns a :class:`Rule` into a translated sentence through one
table (``models/facility_messages.py``); selection fields take their keys from the state enums.
"""

from enum import StrEnum


class BookingState(StrEnum):
    """States of a booking; they change only through the booking's transitions."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    IN_USE = "in_use"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


S = BookingState
# Bookings that hold their time: the exclusion constraint covers exactly these.
ACTIVE_STATES = (S.CONFIRMED, S.IN_USE, S.DONE)
# Bookings that count in quotas and annual shares.
QUOTA_STATES = (S.REQUESTED, S.CONFIRMED, S.IN_USE, S.DONE)
# Bookings that use a group's allocated hours (a no-show used them too).
ALLOCATION_STATES = (*QUOTA_STATES, S.NO_SHOW)
# Bookings whose time or rules may still change.
OPEN_STATES = (S.REQUESTED, S.CONFIRMED)
# Bookings whose booked time is charged (a late cancellation too, see ``chargeable_hours``).
CHARGED_STATES = (S.CONFIRMED, S.IN_USE, S.DONE, S.NO_SHOW)
# Final states: the charge of the booking is settled once it reaches one of them.
FINAL_STATES = (S.DONE, S.NO_SHOW, S.CANCELLED, S.REJECTED)


class WaitlistState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class LevelRole(StrEnum):
    """How a policy names a certification level without naming a record, so that a preset works
    on any instrument: the level is found on the instrument itself."""

    NONE = "none"
    CERTIFIED = "certified"  # the level to book the instrument (its required certification)
    INDEPENDENT = "independent"  # the first level of its scheme allowing independent use


class Rule(StrEnum):
    """Every rule a booking can break; one sentence per code in the message table."""

    # rules that do not depend on the time
    NO_BOOKING = "no_booking"
    INSTRUMENT_STATE = "instrument_state"
    INSTRUMENT_ARCHIVED = "instrument_archived"
    OPERATOR = "operator"
    OPERATOR_ARCHIVED = "operator_archived"
    BOOKER = "booker"
    GROUP_RESTRICTED = "group_restricted"
    CERTIFICATION = "certification"
    # the policy's rules (pure, rules/booking.py)
    ORDER = "order"
    PAST = "past"
    HORIZON_WEEKS = "horizon_weeks"
    HORIZON_DAYS = "horizon_days"
    REOPEN = "reopen"
    MONTHLY = "monthly"
    SLOTS = "slots"
    RESTRICTED_SLOT = "restricted_slot"
    WHOLE_DAYS = "whole_days"
    SETUP = "setup"
    MIN_DURATION = "min_duration"
    MAX_DURATION = "max_duration"
    OFFHOURS = "offhours"
    WEEKEND_LEVEL = "weekend_level"
    WEEKEND_ADJACENT = "weekend_adjacent"
    BLACKOUT = "blackout"
    QUOTA = "quota"
    EXTERNAL_SHARE = "external_share"
    RESERVED_SHARE = "reserved_share"
    PREPARATION = "preparation"
    ALLOCATION_MISSING = "allocation_missing"
    ALLOCATION = "allocation"
    # time held by another booking
    OVERLAP = "overlap"
    OVERLAP_RACE = "overlap_race"
    # certification (rules/certification.py)
    TRAINER_MANAGER_ONLY = "manager_only"
    TRAINER_STAFF_ONLY = "staff_only"
    TRAINER_PEER_OTHER_GROUP = "peer_other_group"
    TRAINER_PEER_NOT_CERTIFIED = "peer_not_certified"
    PREREQUISITE_INSTRUMENT = "prerequisite_instrument"
    PREREQUISITE_SCHEME = "prerequisite_scheme"
    # sanctions (附件4): a restriction, suspension, refusal or blacklisting; a smaller allowance
    SANCTION = "sanction"
    SANCTION_ALLOWANCE = "sanction_allowance"


# -- applications and committee review (seed 000, 第三章 and 附件2 §3–5, 附件5) ------------------


class ApplicationKind(StrEnum):
    """What an application (申请书) asks for."""

    INSTRUMENT_TIME = "instrument_time"  # hours on a high-end instrument (allocation needed)
    SERVICE = "service"  # entrusted technical service (委托服务)
    COLLABORATION = "collaboration"  # collaborative research (合作研究, 附件5)
    CONSULTATION = "consultation"  # technical consultation (技术咨询): answered by staff


class ApplicationState(StrEnum):
    """Stages of an application; they change only through its actions."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


A = ApplicationState
# Stages folded in the kanban: nothing more happens to these applications.
APPLICATION_FOLDED = (A.REJECTED, A.WITHDRAWN, A.CLOSED)
# Applications waiting on the committee (overdue once their batch's deadline has passed).
APPLICATION_PENDING = (A.SUBMITTED, A.IN_REVIEW)


class Vote(StrEnum):
    APPROVE = "approve"
    APPROVE_CHANGES = "approve_changes"
    REJECT = "reject"


class SpecialRequest(StrEnum):
    """Special requests (第二条 7) need the director's approval or the experts' discussion."""

    RUSH = "rush"  # 急于得到结果
    REFUSED_SAMPLE = "refused_sample"  # 执意要做被否定的样品
    LOW_ODDS = "low_odds"  # 预先预料到很难达到用户实验预期


class ServiceFlow(StrEnum):
    """The seed's two service flows (第三章 第一条)."""

    EM = "em"  # electron microscopy: booked, registered, reviewed, sample, imaging, delivered
    PREP = "prep"  # sample preparation: registered, reviewed, sample, preparation, sections


class ServiceStep(StrEnum):
    """Steps of a service order; each is time-stamped with who did it."""

    BOOKED = "booked"
    REGISTERED = "registered"
    REVIEWED = "reviewed"
    SAMPLE_REQUESTED = "sample_requested"
    SAMPLE_RECEIVED = "sample_received"
    PREPARATION = "preparation"
    IMAGING = "imaging"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_T = ServiceStep
# The steps of each flow, in order (cancelled is reachable from any open step).
SERVICE_FLOW_STEPS = {
    ServiceFlow.EM: (
        _T.BOOKED,
        _T.REGISTERED,
        _T.REVIEWED,
        _T.SAMPLE_REQUESTED,
        _T.SAMPLE_RECEIVED,
        _T.IMAGING,
        _T.DELIVERED,
        _T.CLOSED,
    ),
    ServiceFlow.PREP: (
        _T.REGISTERED,
        _T.REVIEWED,
        _T.SAMPLE_REQUESTED,
        _T.SAMPLE_RECEIVED,
        _T.PREPARATION,
        _T.DELIVERED,
        _T.CLOSED,
    ),
}


class CommitmentStart(StrEnum):
    """From when a service type's time commitment (时间承诺) runs."""

    APPROVAL = "approval"  # EM for external users: ≤ 14 days after approval
    SAMPLE = "sample"  # sample preparation: ≤ 21 days after a qualified sample arrives


class AgreementState(StrEnum):
    DRAFTED = "drafted"
    SIGNED = "signed"
    EXPIRED = "expired"


# -- integrity (seed 000, 附件3, 附件4) -----------------------------------------------------------


class ViolationTrack(StrEnum):
    """Which ladder of 附件4 a violation class climbs."""

    NO_CONSEQUENCE = "none"  # 未造成不良后果: counted per group per year (3, 6, 10)
    CONSEQUENCE = "consequence"  # 造成不良后果但不严重: counted per user (1, 2, 3)
    SERIOUS = "serious"  # 造成严重后果: one is enough for the longest suspension


class ViolationState(StrEnum):
    RECORDED = "recorded"
    CONTESTED = "contested"  # the PI contests it: it still counts until withdrawn
    UPHELD = "upheld"  # a facility manager upheld it after a contest
    WITHDRAWN = "withdrawn"  # never deleted; stops counting


# Violations that count in the ledger and the ladders.
COUNTED_VIOLATION_STATES = (
    ViolationState.RECORDED,
    ViolationState.CONTESTED,
    ViolationState.UPHELD,
)


class ViolationSource(StrEnum):
    """Where a violation comes from: by hand, or what the system knows."""

    MANUAL = "manual"
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"
    UNDER_USE = "under_use"
    NO_BOOKING = "no_booking"  # use without a booking (IoT)
    UNPAID_FEES = "unpaid_fees"  # fees overdue (billing)
    ACKNOWLEDGEMENT = "acknowledgement"  # a publication without the acknowledgement (附件3)


class SanctionKind(StrEnum):
    """Measures the ladders and staff take; each is created once and shown on the group."""

    INTERVIEW = "interview"  # 约谈
    PI_NOTICE = "pi_notice"  # 正式通知课题组PI
    RETRAINING = "retraining"  # 再培训 / 加强培训 (qualifications need retraining)
    GROUP_RESTRICTION = "group_restriction"  # 课题组限制使用机时
    USER_SUSPENSION = "user_suspension"  # 暂停其使用权
    ALLOWANCE = "allowance"  # repeat wasters: a smaller booking allowance
    USE_REFUSAL = "use_refusal"  # 拒绝仪器使用权 (group or unit), 6 months to 2 years
    SERVICE_REFUSAL = "service_refusal"  # 拒绝技术服务申请, 1 to 2 years
    BLACKLIST = "blacklist"  # 服务黑名单


class IntegrityGrade(StrEnum):
    EXCELLENT = "excellent"  # 优
    GOOD = "good"  # 良
    FAIR = "fair"  # 中
    POOR = "poor"  # 差
