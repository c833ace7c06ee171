from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..rules import booking as booking_rules
from ..rules import integrity_ladder as ladder
from ..rules.codes import (
    COUNTED_VIOLATION_STATES,
    IntegrityGrade,
    Rule,
    SanctionKind,
    ViolationSource,
)
from ..rules.integrity import year_of
from .access import FACILITY_MANAGER, field_labels, is_permitted, permit
from .utils import selection_label, to_local

K = SanctionKind
# What staff may change on a sanction besides its actions: its end (within the step's bounds)
# and their note; mail's own fields follow the usual rights.
STAFF_FIELDS = {"date_to", "note"}
MAIL_PREFIXES = ("message_", "activity_")


class FacilitySanction(models.Model):
    """A measure taken on a research group or one of its users (附件4, 附件3): an interview, a
    notice, retraining, a restriction or suspension with its period, a refusal, a blacklisting.

    Created by the ladders (:meth:`_apply_ladder`, each step once a year) or by staff and other
    rules (:meth:`_impose`); enforced by the booking rules and the service applications
    (:meth:`_active_for`); never deleted: a sanction is lifted."""

    _name = "facility.sanction"
    _description = "Sanction"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"

    kind = fields.Selection(
        [
            (K.INTERVIEW, "Interview"),
            (K.PI_NOTICE, "Notice to the PI"),
            (K.RETRAINING, "Retraining"),
            (K.GROUP_RESTRICTION, "Booking Restricted"),
            (K.USER_SUSPENSION, "User Suspended"),
            (K.ALLOWANCE, "Smaller Booking Allowance"),
            (K.USE_REFUSAL, "Instrument Use Refused"),
            (K.SERVICE_REFUSAL, "Service Applications Refused"),
            (K.BLACKLIST, "Blacklisted"),
        ],
        required=True,
        tracking=True,
    )
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict", tracking=True
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Person",
        index=True,
        tracking=True,
        help="Set when the sanction applies to this user only (a suspension), not the group.",
    )
    unit_id = fields.Many2one(
        "facility.unit",
        index=True,
        tracking=True,
        help="Set when the sanction applies to every group of this unit.",
    )
    violation_ids = fields.Many2many("facility.violation", string="Violations")
    date_from = fields.Datetime(string="From", default=fields.Datetime.now, tracking=True)
    date_to = fields.Datetime(
        string="Until", tracking=True, help="Empty: until staff lift it (or a one-off measure)."
    )
    reason = fields.Text()
    note = fields.Text(string="Staff Note")
    state = fields.Selection(
        [("active", "Active"), ("lifted", "Lifted")],
        default="active",
        required=True,
        tracking=True,
    )
    in_force = fields.Boolean(compute="_compute_in_force", search="_search_in_force")
    step_id = fields.Many2one("facility.sanction.step", string="Ladder Step", readonly=True)
    ladder_key = fields.Char(readonly=True, copy=False, index=True)
    year = fields.Integer(readonly=True)
    duration_min_days = fields.Integer(string="Minimum Days", readonly=True)
    duration_max_days = fields.Integer(string="Maximum Days", readonly=True)
    allowance_days = fields.Integer(string="Book At Most (Days Ahead)", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "ladder_key_kind_uniq",
            "UNIQUE(ladder_key, kind)",
            "This step of the ladder already took this measure.",
        ),
    ]

    def init(self):
        # One row per ladder subject (a group's or a user's year): every run of the ladder for
        # it updates the row, so two transactions climbing the same ladder at once cannot both
        # pass (the later fails to serialise, is retried, and sees the first's measures).
        self.env.cr.execute(
            "CREATE TABLE IF NOT EXISTS facility_sanction_ladder_counter ("
            "key varchar PRIMARY KEY, bumps integer NOT NULL DEFAULT 1)"
        )

    # -- computes --------------------------------------------------------------------------------

    @api.depends("kind", "research_group_id", "user_id", "unit_id")
    def _compute_display_name(self):
        for sanction in self:
            target = sanction.user_id or sanction.unit_id or sanction.research_group_id
            kind = selection_label(sanction, "kind")
            sanction.display_name = f"{kind} · {target.name}" if target else kind

    @api.depends("state", "date_from", "date_to", "kind")
    def _compute_in_force(self):
        now = fields.Datetime.now()
        for sanction in self:
            sanction.in_force = (
                sanction.state == "active"
                and sanction.kind in ladder.PERIOD_KINDS
                and (not sanction.date_from or sanction.date_from <= now)
                and (not sanction.date_to or sanction.date_to > now)
            )

    def _search_in_force(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on sanctions in force."))
        domain = _in_force_domain(fields.Datetime.now(), fields.Datetime.now())
        domain = [("kind", "in", ladder.PERIOD_KINDS), *domain]
        if (operator == "=") == value:
            return domain
        return [("id", "not in", self._search(domain))]

    # -- constraints -----------------------------------------------------------------------------

    @api.constrains("date_from", "date_to", "duration_min_days", "duration_max_days")
    def _check_period(self):
        for sanction in self:
            if sanction.date_from and sanction.date_to and sanction.date_to < sanction.date_from:
                raise ValidationError(
                    self.env._(
                        "%(sanction)s ends before it starts.", sanction=sanction.display_name
                    )
                )
            if not (sanction.date_from and sanction.date_to) or sanction.state != "active":
                continue
            days = (sanction.date_to - sanction.date_from).total_seconds() / 86400
            low, high = sanction.duration_min_days, sanction.duration_max_days
            if ladder.period_problem(days, low, high):
                raise ValidationError(
                    self.env._(
                        "%(sanction)s lasts %(days)s days; its ladder step allows %(min)s to "
                        "%(max)s days.",
                        sanction=sanction.display_name,
                        days=round(days, 1),
                        min=low,
                        max=high or "-",
                    )
                )

    # -- CRUD ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not is_permitted(self):
            for vals in vals_list:
                for name in ("state", "step_id", "ladder_key", "year"):
                    vals.pop(name, None)
        return super().create(vals_list)

    def write(self, vals):
        if not is_permitted(self):
            fixed = {
                name
                for name in vals
                if name not in STAFF_FIELDS and not name.startswith(MAIL_PREFIXES)
            }
            if fixed:
                raise UserError(
                    self.env._(
                        "%(fields)s of a sanction change only through its actions; staff may "
                        "change its end (within its bounds) and their note.",
                        fields=field_labels(self, fixed),
                    )
                )
            if "date_to" in vals and self.filtered(lambda s: s.state != "active"):
                raise UserError(self.env._("A lifted sanction no longer changes."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Sanctions are never deleted: lift them instead."))

    # -- actions ---------------------------------------------------------------------------------

    def action_lift(self):
        """A facility manager lifts sanctions (ends them now, or cancels one not started)."""
        if not self.env.user.has_group(FACILITY_MANAGER):
            raise UserError(self.env._("Only a facility manager lifts a sanction."))
        self._lift(self.env._("Lifted by %(user)s.", user=self.env.user.name))
        return True

    # -- business --------------------------------------------------------------------------------

    @api.model
    def _apply_ladder(self, violations):
        """Climb the ladders of the groups and users of ``violations`` (each step once).

        For every group and user of ``violations`` and the year of each, the counted violations
        of that year are counted per track; every step of the ladder whose threshold is reached
        and that did not fire yet for that subject and year takes its measures (one sanction per
        measure). A step whose count fell below its threshold (a violation was withdrawn) keeps
        the measures already taken (the interview, notice and retraining happened) but its
        restrictions, suspensions and allowances are lifted; it does not fire again that year.
        Returns the sanctions created."""
        violations = violations.sudo().exists()
        subjects = set()
        for violation in violations:
            year = violation.year or violation.date.year
            company = violation.company_id.id
            subjects.add((ladder.GROUP, violation.research_group_id.id, year, company))
            if violation.user_id:
                subjects.add((ladder.USER, violation.user_id.id, year, company))
        if not subjects:
            return self.browse()
        self._lock_subjects(subjects)
        steps = self.env["facility.sanction.step"].sudo().search([])
        created = self.browse()
        for scope, subject_id, year, company_id in sorted(subjects):
            scope_steps = steps.filtered(
                lambda s, sc=scope, c=company_id: (s.scope, s.company_id.id) == (sc, c)
            )
            if not scope_steps:
                continue
            counted = self._counted(scope, subject_id, year)
            plain = [ladder.Counted(v.id, v.track, v.source, v.date) for v in counted]
            prefix = f"{scope}:{subject_id}:{year}:"
            fired_sanctions = self.sudo().search([("ladder_key", "=like", f"{prefix}%")])
            fired = set(fired_sanctions.step_id.ids)
            rule_steps = {step.id: step._to_rule() for step in scope_steps}
            for undone in ladder.undone_steps(rule_steps.values(), plain, fired):
                to_lift = fired_sanctions.filtered(
                    lambda s, u=undone: s.step_id.id == u.id and s.kind in ladder.PERIOD_KINDS
                )
                to_lift._lift(
                    self.env._("Lifted: a violation it counted was withdrawn."), only_open=True
                )
            for due in ladder.due_steps(rule_steps.values(), plain, fired):
                reasons = counted.browse([v.id for v in ladder.reasons_for(due, plain)])
                step = scope_steps.browse(due.id)
                created |= self._fire(step, subject_id, year, reasons, prefix + str(step.id))
        return created

    @api.model
    def _impose(
        self,
        kind,
        research_group,
        date_from,
        date_to=None,
        user=None,
        unit=None,
        reason=None,
        violations=None,
    ):
        """Impose a sanction decided by staff or a rule (publications, the ladders): the one way
        a sanction is created. Returns it."""
        return self.sudo().create(
            {
                "kind": kind,
                "research_group_id": research_group.id,
                "user_id": user.id if user else False,
                "unit_id": unit.id if unit else False,
                "date_from": date_from,
                "date_to": date_to,
                "reason": reason,
                "violation_ids": [Command.set(violations.ids)] if violations else [],
            }
        )

    @api.model
    def _active_for(self, research_group, user, moment, kinds=None):
        """The sanctions in force at ``moment`` on the group (its unit) or the user that the
        booking and service rules enforce (``kinds``: default those with a period)."""
        return self._in_force(research_group, user, moment, moment, kinds)

    @api.model
    def _in_force(self, research_group, user, start, stop, kinds=None):
        """The sanctions of ``kinds`` on the group, its unit or the user in force at some time
        between ``start`` and ``stop`` (naive UTC), as superuser: the rules read them. Without a
        group (None or empty: a user who left every group) only the user's own sanctions count;
        with neither, none."""
        targets = []
        if research_group:
            targets.append(
                ["&", ("research_group_id", "=", research_group.id), ("user_id", "=", False)]
            )
            unit = research_group.sudo().unit_id
            if unit:
                targets.append([("unit_id", "=", unit.id)])
        if user:
            targets.append([("user_id", "=", user.id)])
        if not targets:
            return self.sudo().browse()
        target_domain = ["|"] * (len(targets) - 1) + [term for t in targets for term in t]
        return self.sudo().search(
            [
                ("kind", "in", list(kinds or ladder.PERIOD_KINDS)),
                *_in_force_domain(start, stop),
                *target_domain,
            ],
            order="date_to desc, id",
        )

    @api.model
    def _booking_violations(self, research_group, operator, start, stop, tz, now=None):
        """The sanctions a booking of ``operator`` for ``research_group`` from ``start`` to
        ``stop`` (naive UTC) breaks, as rule violations: a restriction, suspension, refusal or
        blacklisting in force now or during the booking refuses it; a smaller allowance refuses
        a booking starting beyond its horizon."""
        now = now or fields.Datetime.now()
        out = []
        window = (min(now, start), max(now, stop))
        for sanction in self._in_force(research_group, operator, *window, ladder.BOOKING_KINDS):
            out.append(booking_rules.Violation(Rule.SANCTION, sanction._rule_params()))
        today, day = to_local(now, tz).date(), to_local(start, tz).date()
        for sanction in self._in_force(research_group, operator, now, now, (K.ALLOWANCE,)):
            if ladder.breaks_allowance(today, day, sanction.allowance_days):
                params = dict(
                    sanction._rule_params(),
                    days=sanction.allowance_days,
                    last_day=ladder.allowance_last_day(today, sanction.allowance_days),
                    day=day,
                )
                out.append(booking_rules.Violation(Rule.SANCTION_ALLOWANCE, params))
        return out

    @api.model
    def _check_service_allowed(self, research_group, user=None):
        """Refuse a technical-service application of a group (or its unit, or ``user``) under
        a service refusal or a blacklisting, naming them, their reasons and ends."""
        sanctions = self._active_for(
            research_group, user, fields.Datetime.now(), ladder.SERVICE_KINDS
        )
        if not sanctions:
            return
        lines = []
        for sanction in sanctions:
            params = sanction._rule_params()
            lines.append(
                self.env._(
                    "%(sanction)s: %(target)s may not apply for technical services%(until)s "
                    "(%(reason)s).",
                    sanction=params["sanction"],
                    target=params["target"],
                    until=self.env._(" until %(day)s", day=fields.Date.to_string(sanction.date_to))
                    if sanction.date_to
                    else "",
                    reason=params["reason"],
                )
            )
        raise UserError("\n".join(lines))

    @api.model
    def _priority_penalty(self, research_group, moment=None):
        """How much the group's integrity lowers its booking priority now: the sanctions in
        force on it (or its unit), its counted unpaid-fee violations of the last year, a poor
        grade this year, a unit of poor integrity, less a high-quality outcome's bonus
        (``rules/integrity_ladder.priority_penalty``); 0 for a clean group."""
        moment = moment or fields.Datetime.now()
        sanctions = self._active_for(research_group, None, moment)
        unpaid = (
            self.env["facility.violation"]
            .sudo()
            .search_count(
                [
                    ("research_group_id", "=", research_group.id),
                    ("source", "=", ViolationSource.UNPAID_FEES),
                    ("state", "in", list(COUNTED_VIOLATION_STATES)),
                    ("date", ">", moment - timedelta(days=365)),
                    ("date", "<=", moment),
                ],
                limit=1,
            )
        )
        group = research_group.sudo()
        year = year_of(moment, self.env.company._facility_tz())
        return ladder.priority_penalty(
            sanctions.mapped("kind"),
            unpaid,
            poor_grade=group._integrity_grade(year) == IntegrityGrade.POOR,
            poor_unit=bool(group.unit_id.poor_integrity),
            bonus=group in self.env["facility.publication"]._priority_bonus_groups(moment),
        )

    def _rule_params(self):
        """What a refusal names: the sanction, whom it applies to, its end and its reason."""
        self.ensure_one()
        target = self.user_id or self.unit_id or self.research_group_id
        reason = self.reason or ""
        if self.step_id:
            reason = f"{self.step_id.name}: {reason}" if reason else self.step_id.name
        return {
            "sanction": selection_label(self, "kind"),
            "target": target.name,
            "until": self.date_to,
            "reason": reason or "-",
        }

    def _lift(self, message, only_open=False):
        """End these sanctions now (one not started yet is cancelled); ``only_open``: those
        still running or to come only."""
        now = fields.Datetime.now()
        for sanction in self.filtered(lambda s: s.state == "active"):
            if only_open and sanction.date_to and sanction.date_to <= now:
                continue
            end = max(min(sanction.date_to or now, now), sanction.date_from or now)
            permit(sanction).write(
                {
                    "state": "lifted",
                    "date_to": end if sanction.kind in ladder.PERIOD_KINDS else False,
                }
            )
            sanction.sudo().message_post(body=message)

    def _lock_subjects(self, subjects):
        keys = sorted(f"{scope}:{subject_id}:{year}" for scope, subject_id, year, _c in subjects)
        self.env.cr.execute(
            SQL(
                "INSERT INTO facility_sanction_ladder_counter (key) VALUES %s "
                "ON CONFLICT (key) DO UPDATE "
                "SET bumps = facility_sanction_ladder_counter.bumps + 1",
                SQL(", ").join(SQL("(%s)", key) for key in keys),
            )
        )

    def _counted(self, scope, subject_id, year):
        field = "research_group_id" if scope == ladder.GROUP else "user_id"
        Violation = self.env["facility.violation"].sudo()
        Violation.flush_model()
        return Violation.search(
            [
                (field, "=", subject_id),
                ("state", "in", list(COUNTED_VIOLATION_STATES)),
                "|",
                ("year", "=", year),
                "&",
                ("year", "=", False),
                ("date", ">=", f"{year}-01-01"),
                ("date", "<", f"{year + 1}-01-01"),
            ],
            order="date, id",
        )

    def _fire(self, step, subject_id, year, reasons, key):
        """Take ``step``'s measures for its subject (a group or user) of ``year``, once."""
        group = (
            self.env["facility.research.group"].sudo().browse(subject_id)
            if step.scope == ladder.GROUP
            else reasons.sorted("date")[-1:].research_group_id
        )
        user = (
            self.env["res.users"].sudo().browse(subject_id) if step.scope == ladder.USER else None
        )
        now = fields.Datetime.now()
        common = {
            "research_group_id": group.id,
            "user_id": user.id if user else False,
            "violation_ids": [Command.set(reasons.ids)],
            "step_id": step.id,
            "ladder_key": key,
            "year": year,
            "reason": ", ".join(reasons.mapped("display_name")),
            "company_id": step.company_id.id,
            "date_from": now,
        }
        staff = self._responsible_staff(reasons, step.company_id)
        people = user or group.member_ids | group.pi_id
        created = self.browse()
        Sanction = permit(self.sudo().with_context(mail_create_nolog=True))
        if step.interview:
            interview = Sanction.create(dict(common, kind=K.INTERVIEW))
            for person in staff:
                interview.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=person.id,
                    summary=self.env._(
                        "Interview the person responsible for %(who)s", who=(user or group).name
                    ),
                    note=common["reason"],
                )
            created |= interview
        if step.pi_notice:
            notice = Sanction.create(dict(common, kind=K.PI_NOTICE))
            notice.message_post(
                body=self.env._(
                    "Formal notice to %(pi)s, PI of %(group)s: %(step)s (%(violations)s).",
                    pi=group.pi_id.name,
                    group=group.name,
                    step=step.name,
                    violations=common["reason"],
                ),
                partner_ids=(group.pi_id | (user or group.pi_id)).partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            created |= notice
        if step.retraining:
            retraining = Sanction.create(dict(common, kind=K.RETRAINING))
            retraining._require_retraining(people, reasons)
            created |= retraining
        for wanted, kind in (
            (step.restriction, K.USER_SUSPENSION if user else K.GROUP_RESTRICTION),
            (step.allowance, K.ALLOWANCE),
        ):
            if not wanted:
                continue
            date_from, date_to = ladder.period(
                now,
                step.duration_default_days,
                step.duration_min_days,
                step.duration_max_days,
            )
            sanction = Sanction.create(
                dict(
                    common,
                    kind=kind,
                    date_from=date_from,
                    date_to=date_to,
                    duration_min_days=step.duration_min_days,
                    duration_max_days=step.duration_max_days,
                    allowance_days=step.allowance_days if kind == K.ALLOWANCE else 0,
                )
            )
            sanction.message_post(
                body=self.env._(
                    "%(sanction)s from %(start)s until %(end)s: %(step)s (%(violations)s).",
                    sanction=selection_label(sanction, "kind"),
                    start=fields.Datetime.to_string(date_from)[:16],
                    end=fields.Datetime.to_string(date_to)[:16] if date_to else "-",
                    step=step.name,
                    violations=common["reason"],
                ),
                partner_ids=(group.pi_id | people).partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            if step.confirm_duration:
                for person in staff:
                    sanction.activity_schedule(
                        "mail.mail_activity_data_todo",
                        user_id=person.id,
                        summary=self.env._(
                            "Confirm or change the period (%(min)s to %(max)s days)",
                            min=step.duration_min_days,
                            max=step.duration_max_days or "-",
                        ),
                    )
            created |= sanction
        return created

    def _require_retraining(self, people, reasons):
        """Flag the qualifications of ``people`` as needing retraining: on the instruments of
        the violations' bookings when they name some, else all of them."""
        self.ensure_one()
        domain = [("user_id", "in", people.ids)]
        instruments = reasons.booking_id.instrument_id
        if instruments:
            domain.append(("instrument_id", "in", instruments.ids))
        qualifications = self.env["facility.qualification"].sudo().search(domain)
        qualifications._flag_retraining(self)

    @api.model
    def _responsible_staff(self, violations, company):
        """Who interviews and decides (one person, one activity): the first manager of the
        instrument the latest violation's booking was on, else the facility's director, else
        the first facility manager."""
        for violation in violations.sorted("date", reverse=True):
            managers = violation.booking_id.instrument_id.manager_ids.sorted("id")
            if managers:
                return managers[:1]
        director = company.sudo().facility_director_id
        if director:
            return director
        managers = (
            self.env.ref(FACILITY_MANAGER)
            .sudo()
            .users.filtered(lambda u: company in u.company_ids and not u._is_superuser())
        )
        return managers.sorted("id")[:1]


def _in_force_domain(start, stop):
    """Sanctions active at some time between ``start`` and ``stop`` (naive UTC)."""
    return [
        ("state", "=", "active"),
        "|",
        ("date_from", "=", False),
        ("date_from", "<=", stop),
        "|",
        ("date_to", "=", False),
        ("date_to", ">", start),
    ]
