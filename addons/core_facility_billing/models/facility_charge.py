from odoo import fields, models

from ..rules.codes import ChargeKind, ChargeState
from .facility_fee_standard import FEE_UNITS, PAYER_CATEGORIES


class FacilityCharge(models.Model):
    """One chargeable thing (计费): a booking's used or wasted time, a service's samples, staff
    hours or consumables, an unbooked use, a manual line. Money and state change only through
    the line's actions; generated lines are unique per origin (``origin_key``)."""

    _name = "facility.charge"
    _description = "Charge Line"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date desc, id desc"
    _guarded_fields = (
        "state",
        "quantity",
        "unit_price",
        "amount",
        "standard_id",
        "origin_key",
        "settlement_id",
        "move_id",
        "invoice_id",
        "research_group_id",
        "partner_id",
        "fund_id",
        "payer_category",
        "date",
    )

    name = fields.Char(string="Description", required=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    kind = fields.Selection(
        [
            (ChargeKind.BOOKING, "Booking"),
            (ChargeKind.SERVICE, "Service"),
            (ChargeKind.WALK_IN, "Unbooked Use"),
            (ChargeKind.MANUAL, "Manual"),
        ],
        required=True,
        default=ChargeKind.MANUAL,
        index=True,
    )
    instrument_id = fields.Many2one("facility.instrument", index=True)
    service_type_id = fields.Many2one("facility.service.type", index=True)
    unit_id = fields.Many2one(
        "facility.unit", string="Platform", related="instrument_id.unit_id", store=True
    )
    research_group_id = fields.Many2one("facility.research.group", required=True, index=True)
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True, string="PI")
    user_id = fields.Many2one("res.users", string="User", index=True)
    partner_id = fields.Many2one("res.partner", string="Payer", index=True)
    fund_id = fields.Many2one("account.analytic.account", string="Fund", index=True)
    payer_category = fields.Selection(PAYER_CATEGORIES, required=True, default="internal")
    quantity = fields.Float(digits=(16, 4))
    fee_unit = fields.Selection(FEE_UNITS, string="Unit", default="hour")
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_price = fields.Monetary()
    amount = fields.Monetary()
    standard_id = fields.Many2one("facility.fee.standard", string="Fee Standard", index=True)
    booking_id = fields.Many2one("facility.booking", index=True, ondelete="restrict")
    service_order_id = fields.Many2one("facility.service.order", index=True, ondelete="restrict")
    origin_key = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        [
            (ChargeState.DRAFT, "Draft"),
            (ChargeState.CONFIRMED, "Confirmed"),
            (ChargeState.DISPUTED, "Disputed"),
            (ChargeState.SETTLED, "Settled"),
            (ChargeState.CANCELLED, "Cancelled"),
        ],
        required=True,
        default=ChargeState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
    )
    dispute_deadline = fields.Date(readonly=True, copy=False)
    dispute_reason = fields.Text(readonly=True, copy=False)
    dispute_resolution = fields.Text(readonly=True, copy=False)
    settlement_id = fields.Many2one("facility.settlement", readonly=True, copy=False, index=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False)
    invoice_id = fields.Many2one("account.move", string="Invoice", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    def init(self):
        # one line per origin: generating twice creates nothing new, under any concurrency
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS facility_charge_origin_key_uniq "
            "ON facility_charge (origin_key) WHERE origin_key IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_charge_settle_idx "
            "ON facility_charge (company_id, state, payer_category, date)"
        )

    # -- public API ------------------------------------------------------------------------------

    def charge_unbooked_use(self, instrument, research_group, user, start, stop, source_key):
        """Charge an unbooked use measured by an IoT box at the walk-in rate (one line per
        ``source_key``, however often it is called); the IoT addon calls it when billing is
        installed. Returns the line (empty when no approved standard prices it)."""
        raise NotImplementedError

    def get_instrument_fees(self, instruments, date_from, date_to):
        """Fees charged on ``instruments`` from ``date_from`` to ``date_to`` (confirmed,
        disputed or settled lines): ``{instrument_id: {"internal": amount, "external": amount,
        "total": amount}}``, for the annual evaluation."""
        raise NotImplementedError
