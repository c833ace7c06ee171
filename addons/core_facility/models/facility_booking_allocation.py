from collections import defaultdict
from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_date

from ..rules import booking as rules
from .utils import format_month, num, to_local, to_utc

# Bookings that use allocated hours: wasted time (no-show) used them too.
ALLOCATION_STATES = ("requested", "confirmed", "in_use", "done", "no_show")


class FacilityBookingAllocation(models.Model):
    """Machine time the expert committee allocates to a research group on an instrument for one
    month (seed 000, 附件2 §3–5: Talos, Titan, Helios).

    The group books within it; hours not booked by the policy's deadline (the 1st) lapse and can
    be re-allocated to other groups in a second round.
    """

    _name = "facility.booking.allocation"
    _description = "Allocated Machine Time"
    _inherit = ["mail.thread"]
    _order = "month desc, instrument_id, research_group_id"

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, tracking=True, ondelete="restrict"
    )
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, tracking=True, ondelete="restrict"
    )
    group_category = fields.Selection(related="research_group_id.category")
    month = fields.Date(
        required=True,
        index=True,
        tracking=True,
        default=lambda self: rules.next_month_start(fields.Date.context_today(self)),
        help="The month the hours are for: pick any day of it (stored as its first day).",
    )
    month_label = fields.Char(string="Period", compute="_compute_month_label")
    hours = fields.Float(
        string="Allocated (h)", tracking=True, help="Hours allocated by the expert committee."
    )
    second_round_hours = fields.Float(
        string="Second Round (h)",
        tracking=True,
        help="Hours other groups forfeited this month, re-allocated to this group.",
    )
    pilot_hours = fields.Float(
        string="Pilot Projects (h)",
        tracking=True,
        help="Of the allocated hours, those granted to a pilot project (院先导项目): they count "
        "against the share of the rated annual hours the policy reserves for pilot projects.",
    )
    forfeited_hours = fields.Float(
        string="Forfeited (h)",
        readonly=True,
        copy=False,
        tracking=True,
        help="Allocated hours not booked by the deadline; they can be re-allocated.",
    )
    forfeit_date = fields.Datetime(string="Forfeiture Recorded", readonly=True, copy=False)
    deadline = fields.Date(
        string="Book By",
        compute="_compute_deadline",
        help="Hours not booked by the end of this day lapse.",
    )
    total_hours = fields.Float(string="Usable (h)", compute="_compute_usage")
    booked_hours = fields.Float(string="Booked (h)", compute="_compute_usage")
    remaining_hours = fields.Float(string="Remaining (h)", compute="_compute_usage")
    pool_hours = fields.Float(
        string="Second-round Pool (h)",
        compute="_compute_pool_hours",
        help="Hours forfeited on this instrument this month and not re-allocated yet.",
    )
    origin = fields.Char(
        string="Source", help="The application or committee decision the hours come from."
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "group_month_unique",
            "UNIQUE(instrument_id, research_group_id, month)",
            "A research group has one allocation per instrument and month: change its hours.",
        ),
        (
            "pilot_hours_range",
            "CHECK(pilot_hours >= 0 AND pilot_hours <= hours)",
            "Pilot project hours are part of the allocated hours: between 0 and the hours "
            "allocated.",
        ),
        (
            "hours_positive",
            "CHECK(hours >= 0 AND second_round_hours >= 0 AND forfeited_hours >= 0)",
            "Allocated hours cannot be negative.",
        ),
    ]

    # -- computes -------------------------------------------------------------------------------

    @api.depends("instrument_id.name", "research_group_id.name", "month")
    def _compute_display_name(self):
        for allocation in self:
            allocation.display_name = " · ".join(
                part
                for part in (
                    allocation.instrument_id.name,
                    allocation.research_group_id.name,
                    allocation.month and allocation._month_label(),
                )
                if part
            )

    @api.depends_context("lang")
    @api.depends("month")
    def _compute_month_label(self):
        for allocation in self:
            allocation.month_label = allocation._month_label() if allocation.month else False

    @api.depends("month", "instrument_id.booking_policy_id.allocation_deadline_day")
    def _compute_deadline(self):
        for allocation in self:
            policy = allocation.instrument_id.booking_policy_id
            allocation.deadline = (
                rules.allocation_deadline(allocation.month, policy.allocation_deadline_day or 1)
                if allocation.month
                else False
            )

    @api.depends("hours", "second_round_hours", "forfeited_hours", "forfeit_date")
    def _compute_usage(self):
        """As the booking rule sees it: past the deadline, unbooked committee hours have
        lapsed even before the scheduled job records it."""
        complete = self.filtered(lambda a: a.month and a.instrument_id and a.research_group_id)
        usage = self._usage(
            [(a.instrument_id.id, a.research_group_id.id, a.month) for a in complete]
        )
        for allocation in self:
            if allocation not in complete:
                allocation.total_hours = allocation.booked_hours = 0.0
                allocation.remaining_hours = 0.0
                continue
            key = (allocation.instrument_id.id, allocation.research_group_id.id, allocation.month)
            booked = usage.get(key, 0.0)
            allocated, forfeited, remaining = rules.allocation_balance(
                allocation._to_rule(), booked, allocation._local_today(), allocation.deadline
            )
            allocation.total_hours = allocated - forfeited
            allocation.booked_hours = booked
            allocation.remaining_hours = remaining

    @api.depends("instrument_id", "month", "forfeited_hours", "second_round_hours")
    def _compute_pool_hours(self):
        for allocation in self:
            allocation.pool_hours = allocation._pool()[0] if allocation.month else 0.0

    # -- constraints ----------------------------------------------------------------------------

    @api.constrains("hours", "second_round_hours")
    def _check_hours(self):
        for allocation in self:
            if not allocation.hours and not allocation.second_round_hours:
                raise ValidationError(
                    self.env._("Allocate some hours, by the committee or in a second round.")
                )

    @api.constrains("second_round_hours", "forfeited_hours", "instrument_id", "month")
    def _check_second_round(self):
        for allocation in self.filtered("second_round_hours"):
            allocation._serialize_pool()
            pool, forfeited, granted = allocation._pool()
            if pool < -1e-9:
                raise ValidationError(
                    self.env._(
                        "Second-round hours come from forfeited time: %(forfeited)s h were "
                        "forfeited on %(instrument)s in %(month)s, %(granted)s h would be "
                        "re-allocated.",
                        forfeited=num(round(forfeited, 2)),
                        instrument=allocation.instrument_id.name,
                        month=allocation._month_label(),
                        granted=num(round(granted, 2)),
                    )
                )

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            _first_of_month(vals)
        allocations = super().create(vals_list)
        for allocation in allocations:
            allocation.message_subscribe(allocation.research_group_id.pi_id.partner_id.ids)
        return allocations

    def write(self, vals):
        _first_of_month(vals)
        res = super().write(vals)
        if "instrument_id" in vals:
            self._check_instrument_managed()
        return res

    def _check_instrument_managed(self):
        """An instrument manager keeps allocations on the instruments he manages (record rules
        check a record before a write, not after)."""
        user = self.env.user
        if self.env.su or user.has_group("core_facility.group_facility_manager"):
            return
        for allocation in self:
            if user not in allocation.instrument_id.sudo().manager_ids:
                raise AccessError(
                    self.env._(
                        "Allocations of %(instrument)s are entered by its managers.",
                        instrument=allocation.instrument_id.sudo().name,
                    )
                )

    # -- business methods -----------------------------------------------------------------------

    @api.model
    def _grant_hours(self, instrument, research_group, month, hours, origin, pilot=False):
        """Add hours the committee granted (an approved application's decision) to the group's
        allocation of ``month`` on ``instrument``, creating it if needed; ``pilot``: for a pilot
        project (院先导项目), counted in the allocation's pilot hours. The instrument's annual
        pools of that year are checked first, under a lock
        (:meth:`facility.instrument._check_allocation_pools`): a grant beyond a pool is refused
        with its figures.

        The caller has checked who decides; the row is locked so that two decisions add up.
        Returns the allocation.
        """
        month = rules.month_start(fields.Date.to_date(month))
        instrument._check_allocation_pools(research_group, month, hours, pilot=pilot)
        Allocation = self.sudo()
        pilot_hours = hours if pilot else 0.0
        domain = [
            ("instrument_id", "=", instrument.id),
            ("research_group_id", "=", research_group.id),
            ("month", "=", month),
        ]
        allocation = Allocation.search(domain, limit=1)
        if allocation:
            self.env.cr.execute(
                "SELECT id FROM facility_booking_allocation WHERE id = %s FOR UPDATE",
                [allocation.id],
            )
            allocation.invalidate_recordset(["hours", "pilot_hours", "origin"])
            origins = [o for o in (allocation.origin or "").split(", ") if o]
            allocation.write(
                {
                    "hours": allocation.hours + hours,
                    "pilot_hours": allocation.pilot_hours + pilot_hours,
                    "origin": ", ".join(dict.fromkeys([*origins, origin])),
                }
            )
            return allocation
        return Allocation.create(
            {
                "instrument_id": instrument.id,
                "research_group_id": research_group.id,
                "month": month,
                "hours": hours,
                "pilot_hours": pilot_hours,
                "origin": origin,
            }
        )

    @api.model
    def _usage(self, keys, exclude_booking_id=0):
        """Hours booked per ``(instrument_id, group_id, month)``: bookings that use allocated
        time and start in that month in the facility's time zone."""
        result = {}
        if not keys:
            return result
        self.env["facility.booking"].flush_model(
            ["instrument_id", "research_group_id", "state", "date_start", "duration_hours"]
        )
        by_tz = defaultdict(list)
        instruments = self.env["facility.instrument"].browse({k[0] for k in keys}).sudo()
        tz_of = {instrument.id: instrument._booking_tz() for instrument in instruments}
        for key in keys:
            by_tz[tz_of[key[0]]].append(key)
        for tz, tz_keys in by_tz.items():
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s::date, %s::timestamp, %s::timestamp)",
                    instrument_id,
                    group_id,
                    month,
                    to_utc(datetime.combine(month, time()), tz),
                    to_utc(datetime.combine(rules.next_month_start(month), time()), tz),
                )
                for instrument_id, group_id, month in tz_keys
            )
            self.env.cr.execute(
                SQL(
                    "SELECT k.instrument_id, k.group_id, k.month, "
                    "COALESCE(SUM(b.duration_hours), 0) "
                    "FROM (VALUES %s) AS k(instrument_id, group_id, month, date_from, date_to) "
                    "LEFT JOIN facility_booking b ON b.instrument_id = k.instrument_id "
                    "AND b.research_group_id = k.group_id AND b.state IN %s AND b.id != %s "
                    "AND b.date_start >= k.date_from AND b.date_start < k.date_to "
                    "GROUP BY k.instrument_id, k.group_id, k.month",
                    values,
                    ALLOCATION_STATES,
                    exclude_booking_id,
                )
            )
            for instrument_id, group_id, month, hours in self.env.cr.fetchall():
                result[(instrument_id, group_id, month)] = hours
        return result

    def _serialize_pool(self):
        """Two managers sharing out the same pool at once: both touch the rows the pool comes
        from, so the later transaction fails to serialize (and is retried, seeing the first's
        grant) instead of both granting the same forfeited hours."""
        self.env.cr.execute(
            SQL(
                "UPDATE facility_booking_allocation SET forfeited_hours = forfeited_hours "
                "WHERE instrument_id = %s AND month = %s AND forfeited_hours > 0",
                self.instrument_id.id,
                self.month,
            )
        )

    def _pool(self):
        """``(pool, forfeited, granted)``: second-round hours left on this allocation's
        instrument and month."""
        self.ensure_one()
        siblings = self.sudo().search(
            [("instrument_id", "=", self.instrument_id.id), ("month", "=", self.month)]
        )
        forfeited = sum(siblings.mapped("forfeited_hours"))
        granted = sum(siblings.mapped("second_round_hours"))
        return forfeited - granted, forfeited, granted

    def _month_label(self):
        return format_month(self.env, self.month)

    def _to_rule(self):
        self.ensure_one()
        return rules.Allocation(
            hours=self.hours,
            second_round=self.second_round_hours,
            forfeited=self.forfeited_hours if self.forfeit_date else None,
        )

    @api.model
    def _cron_forfeit(self):
        """Record the hours that lapsed at their deadline, and tell the group and managers."""
        today = fields.Date.context_today(self)
        candidates = self.search(
            [("forfeit_date", "=", False), ("month", "<=", rules.month_start(today))]
        )
        due = candidates.filtered(lambda a: a._local_today() > a.deadline)
        due._forfeit()

    def _forfeit(self):
        usage = self._usage([(a.instrument_id.id, a.research_group_id.id, a.month) for a in self])
        now = fields.Datetime.now()
        for allocation in self:
            key = (allocation.instrument_id.id, allocation.research_group_id.id, allocation.month)
            lapsed = rules.forfeitable_hours(allocation._to_rule(), usage.get(key, 0.0))
            allocation.write({"forfeited_hours": lapsed, "forfeit_date": now})
            if lapsed:
                # in the language of the group's PI, who is told
                lang = allocation.research_group_id.pi_id.lang or self.env.lang
                allocation.with_context(lang=lang)._post_forfeiture(lapsed)

    def _post_forfeiture(self, lapsed):
        self.ensure_one()
        managers = self.instrument_id.manager_ids
        self.message_post(
            body=self.env._(
                "%(hours)s h allocated on %(instrument)s for %(month)s were not booked by "
                "%(deadline)s and are forfeited; they can be re-allocated to other groups in a "
                "second round.",
                hours=num(round(lapsed, 2)),
                instrument=self.instrument_id.name,
                month=self._month_label(),
                deadline=format_date(self.env, self.deadline),
            ),
            partner_ids=managers.partner_id.ids,
        )

    def _local_today(self):
        tz = self.instrument_id.sudo()._booking_tz()
        return to_local(fields.Datetime.now(), tz).date()


def _first_of_month(vals):
    if vals.get("month"):
        vals["month"] = rules.month_start(fields.Date.to_date(vals["month"]))
