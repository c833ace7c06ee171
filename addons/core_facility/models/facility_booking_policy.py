from datetime import date

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..rules import booking as rules
from ..rules.codes import LevelRole

LEVEL_ROLES = [
    (LevelRole.NONE, "No rule"),
    (LevelRole.CERTIFIED, "The instrument's certification"),
    (LevelRole.INDEPENDENT, "The independent-use level"),
]


class FacilityBookingPolicy(models.Model):
    """The booking rules of one or more instruments (seed 000, 附件2), edited as a record."""

    _name = "facility.booking.policy"
    _description = "Booking Policy"
    _inherit = ["mail.thread", "facility.booking.rule.mixin"]
    _order = "name"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    description = fields.Html(translate=True)
    instrument_ids = fields.One2many("facility.instrument", "booking_policy_id")
    auto_confirm = fields.Boolean(
        default=True,
        tracking=True,
        help="Valid bookings are confirmed at once; otherwise they wait for an instrument manager.",
    )
    internal_priority = fields.Boolean(
        default=True,
        help="Before confirmation, an internal group's request has priority over an external "
        "group's request for the same time.",
    )
    horizon_unit = fields.Selection(
        [
            (rules.HORIZON_NONE, "No horizon"),
            (rules.HORIZON_WEEKS, "Natural weeks"),
            (rules.HORIZON_DAYS, "Days"),
        ],
        string="Horizon In",
        required=True,
        default=rules.HORIZON_NONE,
        help="Natural weeks count the current week as the 1st: 'up to the 3rd natural week' "
        "ends on the Sunday two weeks after this one.",
    )
    horizon_internal = fields.Integer(string="Internal Groups Up To", default=3)
    horizon_external = fields.Integer(string="External Groups Up To", default=2)
    reopen_dates = fields.Char(
        help="Days (MM-DD, comma-separated) from which time is open again after a billing "
        "cut-off, e.g. 05-16, 11-16: time from that day on can be booked only from that day.",
    )
    monthly_opening = fields.Boolean(
        help="Time of the next month opens in the last days of the month (Talos, Titan)."
    )
    monthly_open_days = fields.Integer(
        string="Opens Days Before Month",
        default=7,
        help="Next month's time opens this many days before its first day (7: the last week).",
    )
    slot_ids = fields.One2many("facility.booking.slot", "policy_id", string="Day Slots", copy=True)
    whole_day_role = fields.Selection(
        LEVEL_ROLES,
        string="Whole Day Needs",
        required=True,
        default=LevelRole.NONE,
        help="Without this level on the instrument (or a long data collection), users may book "
        "only the restricted slots. The instrument's certification is its required level; the "
        "independent-use level is the first level of its scheme allowing independent use.",
    )
    restricted_workdays_only = fields.Boolean(
        string="Restricted Slots on Workdays Only",
        help="Users without the whole-day level may book only on workdays.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        groups="base.group_user",
        help="Working time of the facility; its time zone is the facility's. Default: the "
        "company's working hours.",
    )
    offhours_role = fields.Selection(
        LEVEL_ROLES,
        string="Off-hours Need",
        required=True,
        default=LevelRole.NONE,
        help="Booking outside working hours needs this level on the instrument, or a companion "
        "holding it for the whole booking.",
    )
    weekend_role = fields.Selection(
        LEVEL_ROLES,
        string="Weekends Need",
        required=True,
        default=LevelRole.NONE,
        help="Weekend days may be booked only by holders of this level on the instrument, next "
        "to workdays they booked (Helios); they do not count in workday quotas.",
    )
    whole_days_only = fields.Boolean(
        help="Runs are booked as whole days, a day being 0:00-23:59 (AFS2)."
    )
    setup_minutes = fields.Integer(
        string="Set-up Time (min)",
        help="Set-up that every booking must include, e.g. pre-cooling of HPM100 and FC7.",
    )
    min_minutes = fields.Integer(string="Minimum Duration (min)")
    max_minutes = fields.Integer(string="Maximum Duration (min)")
    cancel_notice_minutes = fields.Integer(
        string="Cancellation Notice (min)",
        default=120,
        help="Cancelling later than this before the start keeps the booked time chargeable; "
        "changing the time is no longer possible.",
    )
    underuse_ratio = fields.Float(
        string="Under-use Below",
        default=0.5,
        help="A finished booking used for less than this share of its time, without releasing "
        "it, is recorded as under-used and charged in full.",
    )
    external_share = fields.Float(
        string="External Share Max (%)",
        help="External groups may book at most this share of the instrument's rated annual "
        "hours in a calendar year (Titan: 15 %); 0 means no limit.",
    )
    reserved_share = fields.Float(
        string="Reserved Share (%)",
        help="Share of the rated annual hours reserved for a programme (Titan: 30 % for CAS "
        "pilot projects): other bookings may use the rest only; 0 means none.",
    )
    reserved_label = fields.Char(
        string="Reserved For", translate=True, help="e.g. CAS pilot projects (院先导项目)."
    )
    quota_ids = fields.One2many(
        "facility.booking.quota",
        "policy_id",
        string="Quotas",
        copy=True,
        groups="base.group_user",
    )
    preparation = fields.Html(
        translate=True,
        help="What users do before the session, shown when they book (Helios: trim the block and "
        "check it by TEM, carbon-coat it 1-3 days before).",
    )
    preparation_required = fields.Boolean(
        string="Preparation Confirmed When Booking",
        help="The booker confirms the preparation when booking; bookings without it are refused.",
    )
    allocation_required = fields.Boolean(
        string="Allocated Hours Required",
        tracking=True,
        help="Research groups book only within the hours the expert committee allocated them "
        "for the month (Talos, Titan, Helios).",
    )
    allocation_deadline_day = fields.Integer(
        string="Book Allocation By Day",
        default=1,
        help="Allocated hours not booked by the end of this day of their month lapse and can be "
        "re-allocated to other groups in a second round (seed: the 1st).",
    )

    _sql_constraints = [
        (
            "horizon_positive",
            "CHECK(horizon_internal >= 0 AND horizon_external >= 0)",
            "Horizons cannot be negative.",
        ),
        (
            "durations_positive",
            "CHECK(setup_minutes >= 0 AND min_minutes >= 0 AND max_minutes >= 0 "
            "AND cancel_notice_minutes >= 0 AND monthly_open_days >= 0)",
            "Durations cannot be negative.",
        ),
        (
            "shares_range",
            "CHECK(external_share >= 0 AND external_share <= 100 "
            "AND reserved_share >= 0 AND reserved_share < 100)",
            "Shares are percentages between 0 and 100.",
        ),
        (
            "allocation_deadline_range",
            "CHECK(allocation_deadline_day BETWEEN 1 AND 31)",
            "The allocation deadline is a day of the month, 1 to 31.",
        ),
    ]

    @api.constrains("reopen_dates")
    def _check_reopen_dates(self):
        for policy in self:
            try:
                policy._reopen_dates()
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Re-open dates are days written MM-DD separated by commas, e.g. "
                        "05-16, 11-16 (%(error)s).",
                        error=exc,
                    )
                ) from exc

    def _reopen_dates(self):
        self.ensure_one()
        dates = []
        for part in (self.reopen_dates or "").split(","):
            part = part.strip()
            if not part:
                continue
            month, day = (int(x) for x in part.split("-"))
            date(2024, month, day)  # raises ValueError on a day that does not exist
            dates.append((month, day))
        return tuple(dates)

    def _calendar(self, instrument):
        return self.calendar_id or instrument.company_id.resource_calendar_id

    def _to_rules(self):
        """The plain :class:`rules.Policy` the pure rules evaluate (cached until a policy, slot
        or quota changes)."""
        self.ensure_one()
        return self.sudo()._cached_rules()

    @tools.ormcache("self.id")
    def _cached_rules(self):
        slots = tuple(slot._to_rule() for slot in self.slot_ids.sorted("sequence"))
        return rules.Policy(
            horizon_unit=self.horizon_unit,
            horizon_internal=self.horizon_internal,
            horizon_external=self.horizon_external,
            reopen_dates=self._reopen_dates(),
            monthly_opening=self.monthly_opening,
            monthly_open_days=self.monthly_open_days,
            slots=slots,
            restricted_slot_codes=tuple(
                slot._to_rule().code for slot in self.slot_ids if slot.restricted
            ),
            restricted_workdays_only=self.restricted_workdays_only,
            whole_day_rule=self.whole_day_role != LevelRole.NONE,
            offhours_rule=self.offhours_role != LevelRole.NONE,
            whole_days_only=self.whole_days_only,
            setup_minutes=self.setup_minutes,
            min_minutes=self.min_minutes,
            max_minutes=self.max_minutes,
            weekend_rule=self.weekend_role != LevelRole.NONE,
            quotas=tuple(
                rules.Quota(q.scope, q.period, q.unit, q.limit) for q in self.quota_ids if q.enabled
            ),
            external_share=self.external_share / 100,
            reserved_share=self.reserved_share / 100,
            allocation_rule=self.allocation_required,
            allocation_deadline_day=self.allocation_deadline_day,
            preparation_required=self.preparation_required,
        )
