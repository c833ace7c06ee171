import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.core_facility.models.facility_booking import RULE_FIELDS
from odoo.addons.core_facility.rules.codes import OPEN_STATES

from ..rules import charging
from ..rules.codes import ChargeKind, origin_key
from ..rules.fees import time_quantity
from ..rules.money import line_amount
from .facility_charge import _local_day

_logger = logging.getLogger(__name__)

# a change of these is a change of what the booking costs or who pays: billing's checks run
BILLING_FIELDS = {"instrument_id", "research_group_id", "date_start", "date_stop", "fund_id"}
BILLING_FIELDS |= {"collaboration_id", "is_teaching"}


class FacilityBooking(models.Model):
    _inherit = "facility.booking"

    fund_id = fields.Many2one(
        "account.analytic.account",
        compute="_compute_fund_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        domain="[('facility_research_group_id', '=', research_group_id)]",
        help="Research fund charged for the booking (default: the group's).",
    )
    is_teaching = fields.Boolean(
        string="Teaching Use",
        tracking=True,
        help="Time used for teaching, charged at the teaching rate (free by default); set by "
        "the instrument's managers.",
    )
    charge_ids = fields.One2many("facility.charge", "booking_id", string="Charges")
    charge_count = fields.Integer(compute="_compute_charge_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    estimated_amount = fields.Monetary(
        string="Estimated Charge",
        compute="_compute_estimated_amount",
        help="The booked time at the fee standard valid on the booking's day for the group's "
        "payer category (0 when no approved standard prices it).",
    )

    # -- computes ------------------------------------------------------------------------------

    @api.depends("research_group_id")
    def _compute_fund_id(self):
        for booking in self:
            group = booking.research_group_id
            booking.fund_id = group._facility_default_fund(booking.fund_id) if group else False

    def _compute_charge_count(self):
        counts = self.env["facility.charge"]._count_by("booking_id", self)
        for booking in self:
            booking.charge_count = counts.get(booking, 0)

    @api.depends(
        "instrument_id",
        "research_group_id",
        "date_start",
        "date_stop",
        "collaboration_id",
        "is_teaching",
    )
    def _compute_estimated_amount(self):
        for booking in self:
            booking.estimated_amount = booking._facility_estimate()[0]

    # -- constraints ---------------------------------------------------------------------------

    @api.constrains("fund_id", "research_group_id")
    def _check_fund_group(self):
        for booking in self:
            if booking.fund_id:
                booking.research_group_id._facility_check_fund(booking.fund_id)

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("is_teaching"):
                    instrument = self.env["facility.instrument"].browse(vals.get("instrument_id"))
                    self._check_teaching_setter(instrument)
        return super().create(vals_list)

    def write(self, vals):
        if not self._guard_open():
            if "is_teaching" in vals:
                for booking in self:
                    booking._check_teaching_setter(booking.instrument_id)
            if BILLING_FIELDS & set(vals):
                for booking in self:
                    if booking.state not in OPEN_STATES:
                        raise UserError(
                            self.env._(
                                "%(booking)s is %(state)s: what it is charged to no longer "
                                "changes.",
                                booking=booking.name,
                                state=booking._state_label(),
                            )
                        )
        changed = BILLING_FIELDS & set(vals)
        # the core checks its rules (billing's included) when the time or group changes: tell
        # billing's checks that this is such a change, not a later confirmation
        records = self.with_context(facility_billing_check=True) if changed else self
        res = super(FacilityBooking, records).write(vals)
        if changed and not (RULE_FIELDS & set(vals)) and not self._skip_rules():
            # the fund or the teaching flag alone: the core runs no rule, billing checks its own
            problems = [
                b._problem_text(messages)
                for b in self
                if (messages := b.with_context(facility_billing_check=True)._billing_messages())
            ]
            if problems:
                raise ValidationError("\n\n".join(problems))
        return res

    # -- actions -------------------------------------------------------------------------------

    def action_view_charges(self):
        self.ensure_one()
        return self.env["facility.charge"]._action_for("booking_id", self)

    # -- the billing hook and the checks -------------------------------------------------------

    def _finalize_charge(self):
        """The booking's charge is final: its line is generated (once per booking)."""
        res = super()._finalize_charge()
        self._facility_generate_charges()
        return res

    def _rule_messages(self, at=None, holding=None):
        """The core's refusals, and billing's when the booking is being created or its time,
        group or fund change: an expired fund, arrears, a prepaid balance too small."""
        messages = super()._rule_messages(at=at, holding=holding)
        return messages + self._billing_messages()

    def _billing_messages(self):
        """Billing's refusals of this booking (translated sentences): only for a new booking or
        a change of what it costs (not when a manager confirms a request)."""
        self.ensure_one()
        if self._origin.id and not self.env.context.get("facility_billing_check"):
            return []
        if not (self.research_group_id and self.instrument_id and self.date_start):
            return []
        return self.research_group_id._facility_payment_problems(
            self.fund_id,
            self._facility_day(),
            self._facility_estimate()[0],
            exclude=self._origin or None,
        )

    def _check_teaching_setter(self, instrument):
        user = self.env.user
        if user.has_group("core_facility.group_facility_manager"):
            return
        if user not in instrument.sudo().manager_ids:
            raise UserError(
                self.env._(
                    "Only the managers of %(instrument)s mark a booking as teaching use.",
                    instrument=instrument.sudo().name,
                )
            )

    # -- public --------------------------------------------------------------------------------

    def _facility_estimate(self):
        """``(amount, standard)``: the booked time priced by the instrument's time standard for
        the booking's payer category valid on its day (in the instrument's time zone); ``(0.0,
        empty)`` when no approved standard prices it. The prepaid check uses it."""
        self.ensure_one()
        Standard = self.env["facility.fee.standard"].sudo()
        if not (self.instrument_id and self.research_group_id and self.date_start):
            return 0.0, Standard.browse()
        if not self.date_stop or self.date_stop <= self.date_start:
            return 0.0, Standard.browse()
        standard = Standard._find_time_standard(
            self._facility_payer_category(), self._facility_day(), self.instrument_id.sudo()
        )
        if not standard:
            return 0.0, standard
        hours = (self.date_stop - self.date_start).total_seconds() / 3600
        quantity = time_quantity(hours, standard.fee_unit)
        return float(line_amount(quantity, standard.unit_price)), standard

    def _facility_generate_charges(self):
        """The charge line of each booking whose charge is final and chargeable, created once
        (unique origin key): used time of a done booking, booked time when wasted. A booking
        without an approved standard gets none (logged; the catch-up cron charges it once a
        standard is approved). Returns the lines created now."""
        vals_list = [vals for booking in self.sudo() if (vals := booking._facility_charge_values())]
        return self.env["facility.charge"]._create_once(vals_list)

    def _facility_charge_values(self):
        self.ensure_one()
        hours = charging.booking_hours(
            self.state,
            self.chargeable_hours,
            self.used_hours,
            self.is_underuse,
            bool(self.actual_start and self.actual_stop),
        )
        if hours <= 0:
            return None
        day = self._facility_day()
        category = self._facility_payer_category()
        standard = (
            self.env["facility.fee.standard"]
            .sudo()
            ._find_time_standard(category, day, self.instrument_id)
        )
        if not standard:
            _logger.info(
                "%s: no approved %s time standard for %s on %s; not charged yet",
                self.name,
                category,
                self.instrument_id.name,
                day,
            )
            return None
        return self.env["facility.charge"]._line_values(
            self.research_group_id,
            standard,
            float(time_quantity(hours, standard.fee_unit)),
            fund=self.fund_id,
            payer_category=category,
            origin_key=origin_key(ChargeKind.BOOKING, self.id),
            kind=ChargeKind.BOOKING,
            date=day,
            name=self._facility_charge_name(),
            instrument_id=self.instrument_id.id,
            user_id=self.operator_id.id,
            booking_id=self.id,
            company=self.company_id,
        )

    def _facility_charge_name(self):
        if self.state == "no_show":
            what = self.env._("no-show, booked time")
        elif self.state == "cancelled":
            what = self.env._("late cancellation, booked time")
        elif self.is_underuse:
            what = self.env._("unreported under-use, booked time")
        elif self.actual_start and self.actual_stop:
            what = self.env._("used time")
        else:
            what = self.env._("booked time")
        return f"{self.name} · {self.instrument_id.name} ({what})"

    def _facility_day(self):
        """The booking's day in its instrument's time zone."""
        return _local_day(self.date_start, self.instrument_id.sudo().get_timezone())

    def _facility_payer_category(self):
        return charging.payer_category(
            self.research_group_id.sudo().category,
            has_collaboration=bool(self.collaboration_id),
            is_teaching=self.is_teaching,
        )
