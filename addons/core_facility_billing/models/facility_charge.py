import logging
from datetime import datetime, timedelta

import pytz
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from odoo.addons.core_facility.models.access import FACILITY_MANAGER, FINANCE, permit

from ..rules import charging, fees
from ..rules.codes import (
    ChargeKind,
    ChargeState,
    PayerCategory,
    SettlementKind,
    SettlementState,
    origin_key,
)
from ..rules.money import line_amount
from .facility_fee_standard import FEE_UNITS, PAYER_CATEGORIES

C = ChargeState

_logger = logging.getLogger(__name__)

# what a staff member gives for a manual line; the rest is derived or set by the line's actions
MANUAL_FIELDS = {
    "name",
    "date",
    "instrument_id",
    "service_type_id",
    "research_group_id",
    "user_id",
    "fund_id",
    "payer_category",
    "quantity",
    "fee_unit",
    "unit_price",
    "standard_id",
    "company_id",
}
# bookings and service orders closed this many days ago are charged by the catch-up cron
CATCH_UP_DAYS = 62


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
        "kind",
        "instrument_id",
        "service_type_id",
        "user_id",
        "fee_unit",
        "booking_id",
        "service_order_id",
        "dispute_deadline",
        "dispute_reason",
        "dispute_resolution",
        "company_id",
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
    user_id = fields.Many2one("res.users", index=True)
    partner_id = fields.Many2one("res.partner", string="Payer", index=True)
    fund_id = fields.Many2one("account.analytic.account", index=True)
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
        string="Status",
        required=True,
        default=ChargeState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
    )
    dispute_deadline = fields.Date(
        readonly=True,
        copy=False,
        help="Last day the group's PI may dispute the line: its confirmation day plus the "
        "company's dispute window.",
    )
    dispute_reason = fields.Text(readonly=True, copy=False)
    dispute_resolution = fields.Text(readonly=True, copy=False)
    settlement_id = fields.Many2one("facility.settlement", readonly=True, copy=False, index=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False)
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    can_manage = fields.Boolean(
        compute="_compute_permissions", help="The current user confirms and corrects the line."
    )
    can_dispute = fields.Boolean(
        compute="_compute_permissions", help="The current user may dispute the line now."
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

    # -- computes ------------------------------------------------------------------------------

    @api.depends_context("uid")
    @api.depends("state", "instrument_id", "research_group_id", "dispute_deadline")
    def _compute_permissions(self):
        for line in self:
            line.can_manage = line._is_staff() and line.state in charging.CORRECTABLE_STATES
            line.can_dispute = (
                line.state == C.CONFIRMED
                and not line.dispute_resolution
                and line.sudo().research_group_id.pi_id == self.env.user
                and charging.dispute_open(line._today(), line.dispute_deadline)
            )

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """Generated lines are created by server code (``_create_once``); a user creates manual
        lines only (consumables, corrections): staff of the instrument or finance, the amount
        computed here."""
        if self._guard_open():
            return super().create(vals_list)
        self.check_access("create")
        prepared = [self._prepare_manual(vals) for vals in vals_list]
        lines = super(FacilityCharge, permit(self)).create(prepared)
        return lines.with_env(self.env)

    def write(self, vals):
        """Only the description is written directly, by the line's staff, before settlement;
        everything else goes through the actions."""
        if not self._guard_open():
            names = {n for n in vals if not n.startswith(("message_", "activity_"))}
            if names - set(self._guarded_fields):
                for line in self:
                    line._check_staff()
                    if line.state in (C.SETTLED, C.CANCELLED):
                        raise UserError(
                            self.env._(
                                "%(line)s is %(state)s: it no longer changes.",
                                line=line.display_name,
                                state=line._state_label(),
                            )
                        )
        return super().write(vals)

    # -- actions (buttons) ---------------------------------------------------------------------

    def action_confirm(self):
        """测试计费: the instrument's managers (or finance) confirm draft lines; the dispute
        window of the group's PI opens."""
        not_draft = self.filtered(lambda line: line.state != C.DRAFT)
        if not_draft:
            raise UserError(
                self.env._(
                    "Only draft lines can be confirmed: %(lines)s.",
                    lines=", ".join(not_draft.mapped("display_name")[:10]),
                )
            )
        self._check_staff()
        for company, lines in self.grouped("company_id").items():
            today = lines[:1]._today()
            deadline = charging.dispute_deadline(today, company.facility_dispute_days)
            lines._write_guarded({"state": C.CONFIRMED, "dispute_deadline": deadline})
        return True

    def action_dispute(self):
        self._check_can_dispute()
        return self._wizard("facility.charge.dispute.wizard", self.env._("Dispute Charge"))

    def action_resolve(self):
        if any(line.state != C.DISPUTED for line in self):
            raise UserError(self.env._("Only disputed lines are resolved."))
        self._check_staff()
        return self._wizard(
            "facility.charge.dispute.wizard",
            self.env._("Resolve Dispute"),
            default_mode="resolve",
        )

    def action_correct(self):
        self._check_correctable()
        return self._wizard("facility.charge.correct.wizard", self.env._("Correct Charge"))

    def action_cancel(self):
        self._check_correctable()
        return self._wizard(
            "facility.charge.correct.wizard",
            self.env._("Cancel Charge"),
            default_action="cancel",
        )

    def _wizard(self, model, name, **context):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_charge_ids": self.ids, **context},
        }

    # -- transitions: who may is checked here --------------------------------------------------

    def _dispute(self, reason):
        """The group's PI disputes confirmed lines, within the window, once, with a reason."""
        self._check_can_dispute()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the dispute."))
        for line in self:
            line._write_guarded({"state": C.DISPUTED, "dispute_reason": reason.strip()})
            line.sudo().message_post(
                body=self.env._(
                    "Disputed by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
                ),
                partner_ids=line.sudo().instrument_id.manager_ids.partner_id.ids,
            )
        return True

    def _resolve(self, decision, resolution, quantity=None, unit_price=None):
        """Staff resolve disputed lines: ``reject`` (the line stands, back to confirmed),
        ``correct`` (new quantity and/or unit price, confirmed) or ``cancel``; the resolution
        text is kept and sent to the PI."""
        if any(line.state != C.DISPUTED for line in self):
            raise UserError(self.env._("Only disputed lines are resolved."))
        self._check_staff()
        if not (resolution or "").strip():
            raise UserError(self.env._("Give the resolution of the dispute."))
        resolution = resolution.strip()
        for line in self:
            vals = {"dispute_resolution": resolution, "state": C.CONFIRMED}
            if decision == "cancel":
                vals["state"] = C.CANCELLED
            elif decision == "correct":
                vals.update(line._corrected_values(quantity, unit_price))
            elif decision != "reject":
                raise UserError(self.env._("Unknown decision: %(decision)s.", decision=decision))
            before = line._money_text()
            line._write_guarded(vals)
            line.sudo().message_post(
                body=self.env._(
                    "Dispute resolved by %(user)s (%(decision)s): %(resolution)s — %(before)s → "
                    "%(after)s",
                    user=self.env.user.name,
                    decision=_resolution_labels(self.env).get(decision, decision),
                    resolution=resolution,
                    before=before,
                    after=line._money_text(),
                ),
                partner_ids=line.sudo().research_group_id.pi_id.partner_id.ids,
            )
        return True

    def _correct(self, reason, quantity=None, unit_price=None, cancel=False):
        """Staff correct (or cancel) lines before settlement, the reason in the chatter."""
        self._check_correctable()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the correction."))
        for line in self:
            before = line._money_text()
            if cancel:
                line._write_guarded({"state": C.CANCELLED})
                body = self.env._(
                    "Cancelled by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
                )
            else:
                line._write_guarded(line._corrected_values(quantity, unit_price))
                body = self.env._(
                    "Corrected by %(user)s: %(before)s → %(after)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    before=before,
                    after=line._money_text(),
                    reason=reason,
                )
            line.sudo().message_post(body=body)
        return True

    def _corrected_values(self, quantity=None, unit_price=None):
        """The money of a correction (its reason or resolution is required by the caller): the
        quantity rounded to 4 decimals first, the amount computed from it. A negative quantity
        (a credit) is finance's only."""
        self.ensure_one()
        quantity = self.quantity if quantity is None else quantity
        unit_price = self.unit_price if unit_price is None else unit_price
        if unit_price < 0:
            raise ValidationError(self.env._("A unit price cannot be negative."))
        exact = fees.exact_quantity(quantity)
        self._check_quantity(exact)
        return {
            "quantity": float(exact),
            "unit_price": unit_price,
            "amount": float(line_amount(exact, unit_price)),
        }

    def _check_quantity(self, quantity):
        """A negative quantity is a credit (a correction of what was charged): finance only,
        always with a reason (a correction's reason, a resolution, a manual line's
        description)."""
        if quantity < 0 and not (self.env.su or self.env.user.has_group(FINANCE)):
            raise ValidationError(
                self.env._(
                    "A quantity cannot be negative: only finance enters a credit (a negative "
                    "quantity), with its reason."
                )
            )

    # -- checks --------------------------------------------------------------------------------

    def _is_staff(self, user=None):
        """Whether ``user`` confirms and corrects this line (测试计费): finance (and the facility
        managers, who are finance too), or a manager of its instrument (for a service line
        without instrument: of the service type's instruments, or its group leader)."""
        user = user or self.env.user
        if user.has_group(FINANCE):
            return True
        line = self.sudo()
        instruments = line.instrument_id | line.service_type_id.instrument_ids
        return user in instruments.manager_ids or user == line.service_type_id.leader_id

    def _check_staff(self):
        for line in self:
            if not line._is_staff():
                raise UserError(
                    self.env._(
                        "Only finance and the managers of %(instrument)s confirm and correct "
                        "its charges.",
                        instrument=line.sudo().instrument_id.name
                        or line.sudo().service_type_id.name
                        or line.display_name,
                    )
                )

    def _check_correctable(self):
        self._check_staff()
        for line in self:
            if line.state not in (C.DRAFT, C.CONFIRMED):
                raise UserError(
                    self.env._(
                        "%(line)s is %(state)s: only draft or confirmed lines are corrected or "
                        "cancelled (a disputed line is resolved; a settled one is reversed by "
                        "its settlement).",
                        line=line.display_name,
                        state=line._state_label(),
                    )
                )

    def _check_can_dispute(self):
        today = self[:1]._today()
        for line in self:
            group = line.sudo().research_group_id
            if group.pi_id != self.env.user:
                raise UserError(
                    self.env._("Only the PI of %(group)s disputes its charges.", group=group.name)
                )
            if line.state != C.CONFIRMED or line.dispute_resolution:
                raise UserError(
                    self.env._(
                        "%(line)s is %(state)s: only a confirmed line is disputed, once.",
                        line=line.display_name,
                        state=line._state_label(),
                    )
                )
            if not charging.dispute_open(today, line.dispute_deadline):
                raise UserError(
                    self.env._(
                        "The dispute window of %(line)s closed on %(deadline)s.",
                        line=line.display_name,
                        deadline=line.dispute_deadline,
                    )
                )

    # -- generation ----------------------------------------------------------------------------

    @api.model
    def _create_once(self, vals_list):
        """Insert generated lines (each with its ``origin_key``), once per origin: the unique
        index decides, each insert in a savepoint, so that two transactions generating the same
        line at once create it once (the later one's insert fails and is skipped). Keys already
        committed are skipped first (one query), so that the usual rerun attempts no insert.
        Returns the lines created now."""
        keys = [vals["origin_key"] for vals in vals_list]
        if not keys:
            return self.browse()
        self.flush_model(["origin_key"])
        self.env.cr.execute(
            "SELECT origin_key FROM facility_charge WHERE origin_key = ANY(%s)", [keys]
        )
        existing = {key for (key,) in self.env.cr.fetchall()}
        Charge = permit(self.sudo()).with_context(mail_create_nolog=True)
        created = []
        for vals in vals_list:
            if vals["origin_key"] in existing:
                continue
            existing.add(vals["origin_key"])
            try:
                with self.env.cr.savepoint():
                    created.append(Charge.create(vals).id)
            except pg_errors.UniqueViolation:
                _logger.info("Charge %s was created meanwhile", vals["origin_key"])
        return self.browse(created)

    @api.model
    def _line_values(self, group, standard, quantity, **values):
        """Values of a generated line: the payer, fund and amount from the group, the standard
        and ``quantity`` (``values``: origin_key, kind, date, name, instrument...)."""
        group = group.sudo()
        unit_price = values.pop("unit_price", None)
        if unit_price is None:
            unit_price = standard.unit_price
        fund = values.pop("fund", None) or group.default_fund_id
        category = values.pop("payer_category", None) or charging.payer_category(group.category)
        return {
            "research_group_id": group.id,
            "partner_id": self._payer_partner(group).id,
            "fund_id": fund.id,
            "payer_category": category,
            "standard_id": standard.id,
            "fee_unit": values.pop("fee_unit", None) or standard.fee_unit or "hour",
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": float(line_amount(quantity, unit_price)),
            "company_id": (values.pop("company", None) or group.company_id or self.env.company).id,
            **values,
        }

    @api.model
    def _payer_partner(self, group):
        """Who pays: the group's partner; an internal group without one: the company."""
        group = group.sudo()
        if group.partner_id or group.category == PayerCategory.EXTERNAL:
            return group.partner_id
        return (group.company_id or self.env.company).partner_id

    @api.model
    def _cron_generate_missing(self, days=CATCH_UP_DAYS):
        """Catch-up: charge the bookings and service orders of the last ``days`` days whose
        charge is final but that have no line yet (their standard was approved later, or their
        generation failed). Creates each line once (unique origin key)."""
        since = fields.Datetime.now() - timedelta(days=days)
        Booking = self.env["facility.booking"].sudo()
        bookings = Booking.search(
            [
                ("date_start", ">=", since),
                ("chargeable_hours", ">", 0),
                ("state", "in", ("done", "no_show", "cancelled")),
                ("charge_ids", "=", False),
            ]
        )
        created = bookings._facility_generate_charges()
        orders = (
            self.env["facility.service.order"]
            .sudo()
            .search([("state", "=", "closed"), ("write_date", ">=", since)])
        )
        created |= orders._facility_generate_charges()
        return created

    # -- public API ------------------------------------------------------------------------------

    @api.model
    @api.returns("self", lambda line: line.id)
    def charge_unbooked_use(self, instrument, research_group, user, start, stop, source_key):
        """Charge an unbooked use measured by an IoT box at the walk-in rate (one line per
        ``source_key``, however often it is called); the IoT addon calls it when billing is
        installed, as superuser (``sudo()``); otherwise finance or a facility manager only.
        ``instrument``, ``research_group``, ``user``: records or ids; ``start``/``stop``: naive
        UTC datetimes (or their strings). Priced at the walk-in price per hour of the
        instrument's time standard for the group's category valid on the day of use (in the
        instrument's time zone). Returns the line (empty when no approved standard with a
        walk-in price prices it; over RPC its id, or False)."""
        if not self.env.su and not (
            self.env.user.has_group(FINANCE) or self.env.user.has_group(FACILITY_MANAGER)
        ):
            raise AccessError(
                self.env._("Only finance and facility managers charge an unbooked use.")
            )
        key = origin_key("iot", source_key)
        start, stop = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(stop)
        if not (start and stop) or stop <= start:
            raise ValidationError(self.env._("An unbooked use must end after it starts."))
        instrument = _as_record(self.env["facility.instrument"], instrument).sudo()
        group = _as_record(self.env["facility.research.group"], research_group).sudo()
        user = _as_record(self.env["res.users"], user)
        if len(instrument) != 1 or len(group) != 1 or not (instrument.exists() and group.exists()):
            raise ValidationError(
                self.env._("An unbooked use names an existing instrument and research group.")
            )
        day = _local_day(start, instrument.get_timezone())
        category = charging.payer_category(group.category)
        standard = (
            self.env["facility.fee.standard"].sudo()._find_time_standard(category, day, instrument)
        )
        if not standard or not standard.walk_in_price:
            _logger.info(
                "No walk-in price for %s on %s: unbooked use not charged", instrument.name, day
            )
            return self.browse()
        hours = round((stop - start).total_seconds() / 3600, charging.HOURS_DIGITS)
        vals = self._line_values(
            group,
            standard,
            hours,
            unit_price=standard.walk_in_price,
            fee_unit="hour",
            origin_key=key,
            kind=ChargeKind.WALK_IN,
            date=day,
            name=self.env._("Unbooked use of %(instrument)s", instrument=instrument.name),
            instrument_id=instrument.id,
            user_id=user.id,
            company=instrument.company_id,
        )
        self._create_once([vals])
        return self.sudo().search([("origin_key", "=", key)], limit=1).with_env(self.env)

    @api.model
    def get_instrument_fees(self, instruments, date_from, date_to, external_groups=None):
        """Fees charged on ``instruments`` (records or ids) from ``date_from`` to ``date_to``
        (confirmed, disputed or settled lines): ``{instrument_id: {"internal": amount,
        "external": amount, "total": amount}}``, for the annual evaluation.

        By default "external" is the lines' payer category external and "internal" every other
        category (internal, collaboration, teaching). Given ``external_groups`` (research
        groups, records or ids), "external" is instead the lines charged to those groups and
        "internal" all the others, whatever their payer category: the evaluation passes the
        groups outside the university (校外)."""
        instruments = _as_record(self.env["facility.instrument"], instruments)
        result = {
            instrument.id: {"internal": 0.0, "external": 0.0, "total": 0.0}
            for instrument in instruments
        }
        domain = [
            ("instrument_id", "in", instruments.ids),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
            ("state", "in", (C.CONFIRMED, C.DISPUTED, C.SETTLED)),
        ]
        currency = self.env.company.currency_id
        if external_groups is None:
            groups = self.sudo()._read_group(
                domain, ["instrument_id", "payer_category"], ["amount:sum"]
            )
            sides = [
                (instrument, category == PayerCategory.EXTERNAL, amount)
                for instrument, category, amount in groups
            ]
        else:
            outside = set(_as_record(self.env["facility.research.group"], external_groups).ids)
            groups = self.sudo()._read_group(
                domain, ["instrument_id", "research_group_id"], ["amount:sum"]
            )
            sides = [
                (instrument, group.id in outside, amount) for instrument, group, amount in groups
            ]
        for instrument, is_external, amount in sides:
            fees = result[instrument.id]
            side = "external" if is_external else "internal"
            fees[side] = currency.round(fees[side] + amount)
            fees["total"] = currency.round(fees["total"] + amount)
        return result

    # -- helpers -------------------------------------------------------------------------------

    @api.model
    def _count_by(self, origin_field, origins):
        """``{origin: number of lines}`` for bookings or service orders (``origin_field``:
        ``booking_id`` or ``service_order_id``), as the reader may see them."""
        return dict(
            self._read_group([(origin_field, "in", origins.ids)], [origin_field], ["__count"])
        )

    @api.model
    def _action_for(self, origin_field, origin):
        """The charge lines of one booking or service order, from its smart button."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.facility_charge_action"
        )
        action["domain"] = [(origin_field, "=", origin.id)]
        action["context"] = {"create": False}
        return action

    def _today(self):
        company = self.company_id or self.env.company
        return datetime.now(pytz.timezone(company._facility_tz())).date()

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state)

    def _money_text(self):
        """``2.5000 h × 150.00 元 = 375.00 元`` in the line's unit."""
        self.ensure_one()
        unit = dict(self._fields["fee_unit"]._description_selection(self.env)).get(
            self.fee_unit, ""
        )
        return self.env._(
            "%(quantity)s %(unit)s × %(price).2f 元 = %(amount).2f 元",
            quantity=format(self.quantity, "g"),
            unit=unit,
            price=self.unit_price,
            amount=self.amount,
        )

    def _prepare_manual(self, vals):
        """A manual line's values from what a staff member gave: checked and completed."""
        _ = self.env._
        vals = {name: value for name, value in vals.items() if name in MANUAL_FIELDS}
        vals["kind"] = ChargeKind.MANUAL
        group = self.env["facility.research.group"].browse(vals.get("research_group_id"))
        if not group:
            raise ValidationError(_("A charge line names the research group that pays it."))
        probe = self.new(
            {
                "instrument_id": vals.get("instrument_id"),
                "service_type_id": vals.get("service_type_id"),
            }
        )
        if not (self.env.user.has_group(FINANCE) or (probe.instrument_id and probe._is_staff())):
            raise UserError(
                _(
                    "Manual charge lines are entered by finance or by the managers of the "
                    "instrument charged."
                )
            )
        group = group.sudo()
        instrument = probe.instrument_id.sudo()
        day = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
        vals["date"] = day
        company = self.env["res.company"].browse(
            vals.get("company_id")
            or (instrument.company_id or group.company_id or self.env.company).id
        )
        vals["company_id"] = company.id
        allowed = group.company_id | instrument.company_id
        if allowed and company not in allowed:
            raise ValidationError(
                _(
                    "A charge line belongs to the company of its research group or of its "
                    "instrument (%(companies)s), not %(company)s.",
                    companies=", ".join(allowed.mapped("name")),
                    company=company.name,
                )
            )
        standard = self.env["facility.fee.standard"].sudo().browse(vals.get("standard_id"))
        if standard:
            self._check_manual_standard(standard, day)
        if standard and not vals.get("unit_price"):
            vals["unit_price"] = standard.unit_price
            vals["fee_unit"] = standard.fee_unit
        if (vals.get("unit_price") or 0.0) < 0:
            raise ValidationError(_("A unit price cannot be negative."))
        quantity = fees.exact_quantity(vals.get("quantity"))
        self._check_quantity(quantity)
        if quantity < 0 and not (vals.get("name") or "").strip():
            raise ValidationError(_("A credit (a negative quantity) says why in its description."))
        vals.setdefault("payer_category", charging.payer_category(group.category))
        vals.setdefault("fund_id", group.default_fund_id.id)
        fund = self.env["account.analytic.account"].sudo().browse(vals.get("fund_id"))
        if fund and fund.facility_research_group_id != group:
            raise ValidationError(
                _(
                    "The fund %(fund)s is not a fund of %(group)s: a line is charged to a fund "
                    "of the group that pays it.",
                    fund=fund.display_name,
                    group=group.name,
                )
            )
        self._check_period_open(company, day)
        vals["partner_id"] = self._payer_partner(group).id
        vals["quantity"] = float(quantity)
        vals["amount"] = float(line_amount(quantity, vals.get("unit_price") or 0.0))
        return vals

    @api.model
    def _check_manual_standard(self, standard, day):
        """The standard a manual line names charges (approved or superseded) on its day."""
        if standard.state not in fees.CHARGING_STATES or not fees.is_valid_on(
            standard.date_from, standard.date_to, day
        ):
            raise ValidationError(
                self.env._(
                    "%(standard)s does not charge on %(day)s: a line uses an approved fee "
                    "standard valid on its day.",
                    standard=standard.name,
                    day=format_date(self.env, day),
                )
            )

    @api.model
    def _check_period_open(self, company, day):
        """A manual line is not dated in a period the company already settled (a posted
        periodic settlement covering the day): a correction of a settled period is dated in an
        open one."""
        settled = (
            self.env["facility.settlement"]
            .sudo()
            .search(
                [
                    ("state", "=", SettlementState.POSTED),
                    ("kind", "=", SettlementKind.PERIOD),
                    ("date_from", "<=", day),
                    ("date_to", ">=", day),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        if settled:
            raise ValidationError(
                self.env._(
                    "%(day)s lies in a period already settled (%(settlement)s, %(start)s – "
                    "%(end)s): date the line in an open period.",
                    day=format_date(self.env, day),
                    settlement=settled.name,
                    start=format_date(self.env, settled.date_from),
                    end=format_date(self.env, settled.date_to),
                )
            )


def _resolution_labels(env):
    return {
        "reject": env._("Rejected: the line stands"),
        "correct": env._("Accepted: corrected"),
        "cancel": env._("Accepted: cancelled"),
    }


def _as_record(model, value):
    """``value`` (a recordset, an id, a list of ids or False) as records of ``model`` in its
    environment: the public methods take records from Python and ids over RPC."""
    if isinstance(value, models.BaseModel):
        return model.browse(value.ids)
    if not value:
        return model.browse()
    return model.browse(value if isinstance(value, list | tuple) else [value])


def _local_day(utc_moment, tz_name):
    """The local day of a naive UTC datetime in the time zone ``tz_name``."""
    return pytz.utc.localize(utc_moment).astimezone(pytz.timezone(tz_name)).date()
