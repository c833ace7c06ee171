from datetime import datetime

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date

from odoo.addons.core_facility.models.access import FACILITY_MANAGER, FINANCE, is_permitted

from ..rules import fees
from ..rules.codes import ChargeState, FeeUnit, PayerCategory, StandardState
from ..rules.money import to_decimal

S = StandardState
PAYER_CATEGORIES = [
    (PayerCategory.INTERNAL, "Internal"),
    (PayerCategory.EXTERNAL, "External"),
    (PayerCategory.COLLABORATION, "Collaboration"),
    (PayerCategory.TEACHING, "Teaching"),
]
FEE_UNITS = [
    (FeeUnit.HOUR, "Hour"),
    (FeeUnit.HALF_DAY, "Half Day"),
    (FeeUnit.DAY, "Day"),
    (FeeUnit.SAMPLE, "Sample"),
    (FeeUnit.ITEM, "Item"),
]
COMMITTEE = "core_facility_billing.group_fee_committee"
INSTRUMENT_MANAGER = "core_facility.group_facility_instrument_manager"
# what a standard charges, for whom and from when: fixed once it is submitted (make a new one)
LOCKED_FIELDS = frozenset(
    {
        "instrument_id",
        "service_type_id",
        "payer_category",
        "fee_unit",
        "unit_price",
        "walk_in_price",
        "date_from",
        "company_id",
        "annual_units",
        "cost_ids",
    }
)
CHARGING = tuple(fees.CHARGING_STATES)
TODO = "mail.mail_activity_data_todo"


class FacilityFeeStandard(models.Model):
    """A fee standard (收费标准): the rate of an instrument or service type for a payer
    category and unit, approved by the fee-standard review committee and valid from a day until
    the next approved standard supersedes it. Only approved standards charge.

    Lifecycle: draft → submitted (by the instrument's manager, finance or a facility manager;
    the committee members get an activity) → approved (by a committee member, with the day it is
    valid from) or rejected (with a reason; back to draft possible) → superseded when the next
    standard of the same instrument or service type, payer category and unit is approved: it
    then charges up to the day before the new one's valid-from. What a standard charges is fixed
    once it is submitted; a new rate is a new standard.
    """

    _name = "facility.fee.standard"
    _description = "Fee Standard"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "instrument_id, service_type_id, payer_category, date_from desc, id desc"
    _guarded_fields = ("state", "approved_by_id", "approved_date", "date_to", "reject_reason")

    name = fields.Char(
        required=True,
        tracking=True,
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    instrument_id = fields.Many2one(
        "facility.instrument", index=True, tracking=True, ondelete="restrict"
    )
    service_type_id = fields.Many2one(
        "facility.service.type", index=True, tracking=True, ondelete="restrict"
    )
    payer_category = fields.Selection(
        PAYER_CATEGORIES, required=True, default="internal", tracking=True
    )
    fee_unit = fields.Selection(
        FEE_UNITS, string="Unit", required=True, default="hour", tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_price = fields.Monetary(tracking=True, aggregator=False)
    walk_in_price = fields.Monetary(
        string="Walk-in Price",
        tracking=True,
        aggregator=False,
        help="Price per hour of unbooked use measured by the instrument's box (IoT).",
    )
    cost_ids = fields.One2many(
        "facility.fee.cost",
        "standard_id",
        string="Cost Basis",
        copy=True,
        groups="base.group_user",
    )
    annual_units = fields.Float(
        groups="base.group_user",
        help="Units charged in a year (e.g. the instrument's rated hours): the cost basis is "
        "spread over them to propose a rate.",
    )
    included_cost = fields.Monetary(
        string="Included Annual Costs",
        compute="_compute_proposed_price",
        store=True,
        groups="base.group_user",
        help="The annual costs the rate covers: the cost items marked as included.",
    )
    proposed_price = fields.Monetary(
        compute="_compute_proposed_price",
        store=True,
        aggregator=False,
        groups="base.group_user",
        help="Cost-based rate: included annual costs ÷ annual units, rounded to the fen.",
    )
    date_from = fields.Date(
        string="Valid From",
        tracking=True,
        copy=False,
        help="The first day the standard charges: proposed by the submitter, set by the "
        "committee when it approves.",
    )
    date_to = fields.Date(
        string="Valid Until",
        readonly=True,
        copy=False,
        tracking=True,
        help="The last day the standard charges: the day before the next approved standard's "
        "valid-from. Empty: until further notice.",
    )
    state = fields.Selection(
        [
            (StandardState.DRAFT, "Draft"),
            (StandardState.SUBMITTED, "Submitted"),
            (StandardState.APPROVED, "Approved"),
            (StandardState.SUPERSEDED, "Superseded"),
            (StandardState.REJECTED, "Rejected"),
        ],
        required=True,
        default=StandardState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    reject_reason = fields.Text(
        string="Rejection Reason", readonly=True, copy=False, groups="base.group_user"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    note = fields.Html(groups="base.group_user")

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_to IS NULL OR date_from IS NULL OR date_to >= date_from)",
            "A fee standard cannot end before it starts.",
        ),
        (
            "charging_dated",
            "CHECK(state NOT IN ('approved', 'superseded') OR date_from IS NOT NULL)",
            "An approved fee standard needs its valid-from day.",
        ),
    ]

    def init(self):
        """btree_gist and the exclusion constraint: no two charging standards of the same
        instrument or service type, payer category and unit are valid on the same day."""
        cr = self.env.cr
        cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'facility_fee_standard_no_overlap'")
        if not cr.fetchone():
            cr.execute(
                SQL(
                    "ALTER TABLE facility_fee_standard "
                    "ADD CONSTRAINT facility_fee_standard_no_overlap EXCLUDE USING gist ("
                    "company_id WITH =, (COALESCE(instrument_id, 0)) WITH =, "
                    "(COALESCE(service_type_id, 0)) WITH =, payer_category WITH =, "
                    "fee_unit WITH =, daterange(date_from, date_to, '[]') WITH &&"
                    ") WHERE (state IN %s)",
                    CHARGING,
                )
            )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_fee_standard_key_idx ON facility_fee_standard "
            "(instrument_id, service_type_id, payer_category, fee_unit, date_from)"
        )

    # -- computes -------------------------------------------------------------------------------

    @api.depends("instrument_id", "service_type_id", "payer_category", "fee_unit")
    def _compute_name(self):
        categories = dict(self._fields["payer_category"]._description_selection(self.env))
        units = dict(self._fields["fee_unit"]._description_selection(self.env))
        for standard in self:
            target = standard.instrument_id or standard.service_type_id
            parts = [target.display_name, categories.get(standard.payer_category)]
            parts.append(units.get(standard.fee_unit))
            standard.name = " · ".join(part for part in parts if part) or False

    @api.depends("cost_ids.annual_amount", "cost_ids.included", "annual_units")
    def _compute_proposed_price(self):
        for standard in self:
            costs = [(cost.annual_amount, cost.included) for cost in standard.cost_ids]
            standard.included_cost = float(fees.included_total(costs))
            price = fees.proposed_price(costs, standard.annual_units)
            standard.proposed_price = float(price) if price is not None else 0.0

    # -- constraints and onchanges --------------------------------------------------------------

    @api.constrains("instrument_id", "service_type_id", "company_id")
    def _check_target(self):
        """Exactly one target (``company_id``, always given, makes it checked on create)."""
        for standard in self:
            if bool(standard.instrument_id) == bool(standard.service_type_id):
                raise ValidationError(
                    self.env._(
                        "A fee standard prices either an instrument or a service type: choose "
                        "exactly one of them (%(name)s).",
                        name=standard.name or "",
                    )
                )

    @api.constrains("unit_price", "walk_in_price", "annual_units")
    def _check_figures(self):
        for standard in self:
            if min(standard.unit_price, standard.walk_in_price, standard.annual_units) < 0:
                raise ValidationError(
                    self.env._(
                        "%(name)s: prices and annual units cannot be negative.",
                        name=standard.name,
                    )
                )

    @api.onchange("payer_category")
    def _onchange_payer_category(self):
        """Teaching use is free by default (an institution may still set a price)."""
        if self.payer_category == PayerCategory.TEACHING:
            self.unit_price = 0.0
            self.walk_in_price = 0.0

    # -- CRUD -----------------------------------------------------------------------------------

    def write(self, vals):
        locked = LOCKED_FIELDS & set(vals)
        if locked and not is_permitted(self):
            fixed = self.filtered(lambda s: s.state != S.DRAFT)
            if fixed:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: %(fields)s can no longer be changed. Duplicate "
                        "it to propose a new standard.",
                        name=fixed[0].name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            fixed[0].state
                        ],
                        fields=", ".join(
                            sorted(
                                self._fields[name]._description_string(self.env) for name in locked
                            )
                        ),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for standard in self:
            if standard.state != S.DRAFT:
                raise UserError(
                    self.env._(
                        "%(name)s cannot be deleted: only draft fee standards can. A standard "
                        "that was submitted stays on record.",
                        name=standard.name,
                    )
                )

    # -- actions --------------------------------------------------------------------------------

    def action_submit(self):
        """Submit drafts to the fee-standard committee, whose members get an activity."""
        for standard in self:
            standard._check_state(S.DRAFT)
            standard._check_may_propose()
            if not standard.unit_price and standard.payer_category != PayerCategory.TEACHING:
                raise UserError(
                    self.env._(
                        "%(name)s has no unit price: set one (or use the proposed price) "
                        "before submitting it.",
                        name=standard.name,
                    )
                )
        self._write_guarded({"state": S.SUBMITTED, "reject_reason": False})
        self._notify_committee()
        return True

    def action_draft(self):
        """Back to draft: a rejected standard to be revised, or a submitted one withdrawn."""
        for standard in self:
            standard._check_state(S.SUBMITTED, S.REJECTED)
            standard._check_may_propose()
        self._write_guarded({"state": S.DRAFT})
        self.sudo().activity_unlink([TODO])
        return True

    def action_use_proposed_price(self):
        """Take the cost-based rate as the unit price."""
        for standard in self:
            standard._check_state(S.DRAFT)
            if not standard.annual_units:
                raise UserError(
                    self.env._(
                        "%(name)s: enter the annual units (e.g. the rated hours of a year) to "
                        "spread the costs over.",
                        name=standard.name,
                    )
                )
            standard.unit_price = standard.proposed_price
        return True

    def action_approve(self):
        """Open the committee's decision: approve, with the day the standard is valid from."""
        return self._decision_action("approve")

    def action_reject(self):
        """Open the committee's decision: reject, with a reason."""
        return self._decision_action("reject")

    def _decision_action(self, decision):
        self.ensure_one()
        self._check_state(S.SUBMITTED)
        self._check_committee()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve Fee Standard")
            if decision == "approve"
            else self.env._("Reject Fee Standard"),
            "res_model": "facility.fee.standard.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_standard_id": self.id,
                "default_decision": decision,
                "default_date_from": self.date_from,
            },
        }

    # -- business logic -------------------------------------------------------------------------

    def _approve(self, date_from):
        """Approve these submitted standards, each valid from ``date_from``: a committee
        member's decision. The standard in force for the same target, payer category and unit
        (if any) is superseded: it charges up to the day before. Concurrent approvals of one
        key serialise on that standard's row; the exclusion constraint refuses any overlap."""
        self._check_committee()
        date_from = fields.Date.to_date(date_from)
        if not date_from:
            raise UserError(self.env._("Enter the day the fee standard is valid from."))
        for standard in self:
            standard._check_state(S.SUBMITTED)
            current = standard._lock_current()
            if current and fees.supersede_error(current.date_from, date_from):
                raise UserError(
                    self.env._(
                        "%(name)s cannot be valid from %(day)s: %(current)s is in force since "
                        "%(since)s. The next standard starts after that day.",
                        name=standard.name,
                        day=format_date(self.env, date_from),
                        current=current.name,
                        since=format_date(self.env, current.date_from),
                    )
                )
            if current:
                current._check_not_repriced(standard, date_from)
                current._write_guarded(
                    {"state": S.SUPERSEDED, "date_to": fees.supersede_until(date_from)}
                )
            standard._write_guarded(
                {
                    "state": S.APPROVED,
                    "date_from": date_from,
                    "approved_by_id": self.env.uid,
                    "approved_date": fields.Datetime.now(),
                }
            )
            standard._flush_checked()
            message = self.env._(
                "Approved by the fee-standard committee (%(user)s), valid from %(day)s.",
                user=self.env.user.name,
                day=format_date(self.env, date_from),
            )
            if current:
                message += " " + self.env._(
                    "It supersedes %(previous)s, which charges until %(until)s.",
                    previous=current.name,
                    until=format_date(self.env, current.date_to),
                )
                current.sudo().message_post(
                    body=self.env._(
                        "Superseded by %(next)s from %(day)s.",
                        next=standard.name,
                        day=format_date(self.env, date_from),
                    )
                )
            standard.sudo().message_post(body=message)
        self.sudo().activity_unlink([TODO])
        return True

    def _reject(self, reason):
        """Reject these submitted standards with ``reason``: a committee member's decision."""
        self._check_committee()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for rejecting the fee standard."))
        for standard in self:
            standard._check_state(S.SUBMITTED)
        self._write_guarded({"state": S.REJECTED, "reject_reason": reason})
        for standard in self:
            standard.sudo().message_post(
                body=self.env._(
                    "Rejected by the fee-standard committee (%(user)s): %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        self.sudo().activity_unlink([TODO])
        return True

    def _lock_current(self):
        """The approved standard in force with no end for this standard's key, locked (FOR
        UPDATE): a concurrent approval of the same key waits, then fails to serialise and is
        retried, seeing this one."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM facility_fee_standard WHERE company_id = %s "
                "AND COALESCE(instrument_id, 0) = %s AND COALESCE(service_type_id, 0) = %s "
                "AND payer_category = %s AND fee_unit = %s AND state IN %s AND id != %s "
                "ORDER BY date_from DESC FOR UPDATE",
                self.company_id.id,
                self.instrument_id.id or 0,
                self.service_type_id.id or 0,
                self.payer_category,
                self.fee_unit,
                CHARGING,
                self.id,
            )
        )
        rows = self.env.cr.fetchall()
        current = self.browse([row[0] for row in rows]).filtered(lambda s: not s.date_to)
        return current[:1]

    def _check_not_repriced(self, successor, date_from):
        """The charge lines this standard (the one in force) already priced keep their price:
        its successor cannot be valid from a day on or before the day of any of them (not
        cancelled). A standard valid from a future day, before any line, passes."""
        self.ensure_one()
        rows = (
            self.env["facility.charge"]
            .sudo()
            ._read_group(
                [
                    ("standard_id", "=", self.id),
                    ("date", ">=", date_from),
                    ("state", "!=", ChargeState.CANCELLED),
                ],
                [],
                ["date:max"],
            )
        )
        last = fees.repricing_error(date_from, [rows[0][0]] if rows else [])
        if last:
            raise UserError(
                self.env._(
                    "%(name)s cannot be valid from %(day)s: %(current)s already priced charge "
                    "lines up to %(last)s. Choose a valid-from day after %(last)s (lines "
                    "already charged are corrected one by one, not repriced).",
                    name=successor.name,
                    day=format_date(self.env, date_from),
                    current=self.name,
                    last=format_date(self.env, last),
                )
            )

    def _flush_checked(self):
        """Flush, turning an overlap the exclusion constraint caught into a clear message."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.flush_all()
        except pg_errors.ExclusionViolation:
            raise ValidationError(
                self.env._(
                    "%(name)s overlaps another approved fee standard of the same target, payer "
                    "category and unit, approved a moment ago by someone else: reload the page "
                    "and approve it again to supersede that one.",
                    name=self.name,
                )
            ) from None

    def _check_state(self, *states):
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s: this action applies to %(states)s fee standards.",
                    name=self.name,
                    state=labels[self.state],
                    states=" / ".join(labels[s] for s in states),
                )
            )

    def _check_committee(self):
        """Only members of the fee-standard committee decide."""
        if not self.env.su and not self.env.user.has_group(COMMITTEE):
            raise AccessError(
                self.env._(
                    "Only members of the fee-standard committee approve or reject fee standards."
                )
            )

    def _check_may_propose(self):
        """The instrument's managers (the service type's leader or its instruments' managers),
        finance and facility managers propose standards."""
        user = self.env.user
        if self.env.su or user.has_group(FINANCE) or user.has_group(FACILITY_MANAGER):
            return
        if user.has_group(INSTRUMENT_MANAGER):
            target = self.sudo()
            managers = target.instrument_id.manager_ids | target.service_type_id.leader_id
            managers |= target.service_type_id.instrument_ids.manager_ids
            if user in managers:
                return
        raise AccessError(
            self.env._(
                "%(name)s: only its instrument's managers, finance staff and facility managers "
                "submit or withdraw a fee standard.",
                name=self.name,
            )
        )

    def _notify_committee(self):
        members = self.env.ref(COMMITTEE).sudo().users.filtered(lambda u: u.active and not u.share)
        for standard in self:
            for member in members:
                standard.sudo().activity_schedule(
                    TODO,
                    user_id=member.id,
                    summary=self.env._("Review the fee standard"),
                    note=self.env._(
                        "%(name)s: %(price)s 元 per unit, proposed from %(day)s.",
                        name=standard.name,
                        price=format(standard.unit_price, ",.2f"),
                        day=format_date(self.env, standard.date_from)
                        if standard.date_from
                        else "—",
                    ),
                )

    # -- public questions -----------------------------------------------------------------------

    @api.model
    def _find_standard(self, payer_category, fee_unit, day, instrument=None, service_type=None):
        """The fee standard charging ``day`` for ``payer_category`` in ``fee_unit`` on
        ``instrument`` or ``service_type`` (give one), or an empty recordset.

        Only approved or superseded standards charge, each on the days it was valid: from its
        valid-from day to its valid-until day, both included. ``day``: a date (or its string),
        the day of use; a datetime is taken in the instrument's time zone (else the company's).
        The search ignores the caller's access; the standard comes back in the caller's
        environment (a portal caller reads its price with ``sudo()``)."""
        target = instrument or service_type
        if not target:
            return self.browse()
        day = self._local_day(day, instrument)
        domain = [
            ("instrument_id", "=", instrument.id if instrument else False),
            ("service_type_id", "=", service_type.id if service_type else False),
            ("company_id", "=", target.sudo().company_id.id),
            ("payer_category", "=", payer_category),
            ("fee_unit", "=", fee_unit),
            ("state", "in", CHARGING),
            ("date_from", "<=", day),
        ]
        candidates = self.sudo().search_fetch(domain, ["state", "date_from", "date_to"])
        found = fees.select_standard(
            [(s.id, s.state, s.date_from, s.date_to) for s in candidates], day
        )
        return self.browse(found or [])

    @api.model
    def _find_time_standard(self, payer_category, day, instrument):
        """The ``instrument``'s time standard charging ``day`` for ``payer_category``,
        preferring hour, then half day, then day; empty if it has none. Convert the hours of use
        with ``rules.fees.time_quantity(hours, standard.fee_unit)``."""
        if not instrument:
            return self.browse()
        day = self._local_day(day, instrument)
        domain = [
            ("instrument_id", "=", instrument.id),
            ("company_id", "=", instrument.sudo().company_id.id),
            ("payer_category", "=", payer_category),
            ("fee_unit", "in", fees.TIME_UNITS),
            ("state", "in", CHARGING),
            ("date_from", "<=", day),
        ]
        fields_ = ["fee_unit", "state", "date_from", "date_to"]
        candidates = self.sudo().search_fetch(domain, fields_)
        found = fees.select_time_standard(
            [(s.id, s.fee_unit, s.state, s.date_from, s.date_to) for s in candidates], day
        )
        return self.browse(found or [])

    @api.model
    def get_instruments_without_standard(self, day=None):
        """The instruments of the current company (in use: not archived, not scrapped) with no
        approved fee standard valid on ``day`` (default: today in the facility's time zone), of
        any payer category and unit. The annual evaluation scores them (seed 002 附件3 §3)."""
        company = self.env.company
        day = self._local_day(day) if day else self._today(company)
        instruments = self.env["facility.instrument"].search(
            [("company_id", "=", company.id), ("state", "!=", "scrapped")]
        )
        return instruments - self._instruments_with_standard(day, instruments)

    @api.model
    def get_instruments_with_standard(self, day, instruments):
        """The instruments of ``instruments`` (records or ids, whatever their state) with an
        approved fee standard valid on ``day`` (a date, or a UTC datetime taken in the facility's
        time zone), of any payer category and unit. The annual evaluation asks it for the
        instruments it assesses, scrapped since or not (seed 002 附件3 §3)."""
        Instrument = self.env["facility.instrument"]
        if isinstance(instruments, models.BaseModel):
            instruments = Instrument.browse(instruments.ids)
        else:
            ids = instruments if isinstance(instruments, list | tuple) else [instruments]
            instruments = Instrument.browse([i for i in ids if i])
        return self._instruments_with_standard(self._local_day(day), instruments)

    @api.model
    def _instruments_with_standard(self, day, instruments=None):
        """The instruments (of ``instruments`` if given) with an approved standard valid on
        ``day``, in the caller's environment."""
        domain = [
            ("instrument_id", "!=", False),
            ("state", "in", CHARGING),
            ("date_from", "<=", day),
            "|",
            ("date_to", "=", False),
            ("date_to", ">=", day),
        ]
        if instruments is not None:
            domain.append(("instrument_id", "in", instruments.ids))
        groups = self.sudo()._read_group(domain, ["instrument_id"])
        return self.env["facility.instrument"].browse([group[0].id for group in groups])

    @api.model
    def _today(self, company=None):
        company = company or self.env.company
        return fields.Datetime.context_timestamp(
            self.with_context(tz=company._facility_tz()), fields.Datetime.now()
        ).date()

    @api.model
    def _local_day(self, day, instrument=None):
        """``day`` as a date: a datetime (UTC) is taken in the instrument's time zone, else the
        company's."""
        if isinstance(day, datetime):
            tz = instrument.get_timezone() if instrument else self.env.company._facility_tz()
            return fields.Datetime.context_timestamp(self.with_context(tz=tz), day).date()
        if isinstance(day, str):
            return fields.Date.to_date(day[:10])
        return day

    def _price(self):
        """The unit price as a Decimal (for ``rules.money.line_amount``)."""
        self.ensure_one()
        return to_decimal(self.sudo().unit_price)
