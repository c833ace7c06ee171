"""Codes of billing, defined once: selection keys, states and the origin keys of charge lines.

Nothing here imports Odoo; the models take their selections' keys from these enums.
"""

from enum import StrEnum


class PayerCategory(StrEnum):
    """Who pays, as fee standards distinguish them (seed 001 §3.3; 附件3: running costs only)."""

    INTERNAL = "internal"  # 校内 / 区域中心内: deducted from research funds
    EXTERNAL = "external"  # 校外: invoiced or prepaid
    COLLABORATION = "collaboration"  # time for a collaboration (合作)
    TEACHING = "teaching"  # teaching use: free by default


class FeeUnit(StrEnum):
    HOUR = "hour"
    HALF_DAY = "half_day"
    DAY = "day"
    SAMPLE = "sample"
    ITEM = "item"


# hours per time unit (a charge in hours is converted to the standard's unit)
UNIT_HOURS = {FeeUnit.HOUR: 1.0, FeeUnit.HALF_DAY: 4.0, FeeUnit.DAY: 8.0}


class StandardState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"


class CostKind(StrEnum):
    """The cost basis of a standard (成本补偿、非盈利): the seeds charge running costs only;
    depreciation and 'other' are there for institutions that add them, excluded by default."""

    MATERIALS = "materials"  # 材料费
    UTILITIES = "utilities"  # 水电费
    RUNNING = "running"  # 运行维护费
    LABOUR = "labour"  # 人工费 (staffed services)
    DEPRECIATION = "depreciation"  # 折旧 (off by default)
    OTHER = "other"


# kinds included in the proposed rate unless the administrator says otherwise
COST_KINDS_INCLUDED_BY_DEFAULT = (
    CostKind.MATERIALS,
    CostKind.UTILITIES,
    CostKind.RUNNING,
    CostKind.LABOUR,
)


class ChargeState(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    SETTLED = "settled"
    CANCELLED = "cancelled"


C = ChargeState
# lines that count against a prepaid balance until they are invoiced or settled
UNSETTLED_STATES = (C.DRAFT, C.CONFIRMED, C.DISPUTED)


class ChargeKind(StrEnum):
    """Where a charge line comes from."""

    BOOKING = "booking"  # used time of a done booking, booked time when wasted
    SERVICE = "service"  # samples, staff hours, consumables of a service order
    WALK_IN = "walk_in"  # unbooked use measured by an IoT box, at the walk-in rate
    MANUAL = "manual"  # consumables and corrections entered by staff


def origin_key(kind, *parts):
    """The unique key of a generated line: ``booking:12``, ``service:7:samples``, ``iot:...``.

    The charge table has a unique index on (origin_key) where it is set: generating twice
    creates nothing new, under any concurrency."""
    return ":".join([str(kind), *(str(p) for p in parts)])


class BillingMode(StrEnum):
    """How a research group pays."""

    FUNDS = "funds"  # internal: deducted monthly from a research fund (后付费月结算)
    INVOICE = "invoice"  # external: single settlement by customer invoice (单笔结算)
    PREPAID = "prepaid"  # external: deposits, charges refused beyond the balance (预付结算)


class SettlementKind(StrEnum):
    PERIOD = "period"  # internal periodic settlement of a period (monthly by default)
    SINGLE = "single"  # internal single settlement of one booking or service (单笔结算)
    INVOICE = "invoice"  # external settlement by customer invoices


class SettlementState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    REVERSED = "reversed"


class PeriodScheme(StrEnum):
    """Settlement periods: calendar months, or periods ending on cut-off days (e.g. 05-16 and
    11-16, seed 000 附件2 §7)."""

    MONTHLY = "monthly"
    CUTOFF = "cutoff"


class InvoiceGrouping(StrEnum):
    PER_ORIGIN = "origin"  # one invoice per booking or service order
    PER_MONTH = "month"  # one invoice per group and month
