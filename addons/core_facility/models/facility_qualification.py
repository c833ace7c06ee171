import datetime
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import certification as rules
from ..rules.booking import Violation
from ..rules.codes import Rule
from .access import field_labels, is_permitted
from .rule_messages import RuleText

# Who holds what, and where it comes from: fixed once granted (revoke and grant anew instead).
IDENTITY_FIELDS = {"user_id", "instrument_id", "level_id", "scheme_id", "assessment_id"}


class FacilityQualification(models.Model):
    """A user's certification at a level on one instrument, granted by an assessment or a manager.

    Other modules ask one question of it: :meth:`is_qualified`.
    """

    _name = "facility.qualification"
    _description = "Qualification"
    _inherit = ["mail.thread"]
    _order = "date_granted desc, id desc"
    _rec_name = "level_id"

    user_id = fields.Many2one(
        "res.users", required=True, index=True, ondelete="cascade", tracking=True
    )
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="cascade", tracking=True
    )
    level_id = fields.Many2one(
        "facility.certification.level",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    scheme_id = fields.Many2one(related="level_id.scheme_id", store=True)
    date_granted = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_expiry = fields.Date(
        compute="_compute_date_expiry",
        store=True,
        readonly=False,
        tracking=True,
        help="Empty when the qualification does not expire.",
    )
    is_valid = fields.Boolean(
        string="Valid", compute="_compute_is_valid", search="_search_is_valid"
    )
    assessment_id = fields.Many2one("facility.assessment", ondelete="set null", readonly=True)
    granted_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    note = fields.Text()
    active = fields.Boolean(default=True, tracking=True)
    needs_retraining = fields.Boolean(
        readonly=True,
        tracking=True,
        copy=False,
        help="Set by a sanction (再培训): the qualification does not count for booking until "
        "a new assessment or training grants the level again, or staff clear it.",
    )
    retraining_sanction_id = fields.Many2one(
        "facility.sanction", string="Retraining Required By", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "user_instrument_level_uniq",
            "unique(user_id, instrument_id, level_id)",
            "A user holds a level on an instrument only once; renew the existing qualification "
            "instead.",
        ),
    ]

    @api.depends("date_granted", "level_id.validity_months")
    def _compute_date_expiry(self):
        for qualification in self:
            qualification.date_expiry = rules.expiry_date(
                qualification.date_granted, qualification.level_id.validity_months
            )

    @api.depends_context("date")
    @api.depends("date_granted", "date_expiry", "active")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for qualification in self:
            qualification.is_valid = qualification.active and rules.is_current(
                qualification.date_granted, qualification.date_expiry, today
            )

    def _search_is_valid(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on validity."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [
                ("date_granted", "<=", today),
                "|",
                ("date_expiry", "=", False),
                ("date_expiry", ">=", today),
            ]
        return ["|", ("date_granted", ">", today), ("date_expiry", "<", today)]

    @api.constrains("user_id", "instrument_id", "level_id", "date_granted")
    def _check_grant(self):
        for qualification in self:
            level, instrument = qualification.level_id, qualification.instrument_id
            if instrument not in level._get_instruments():
                raise ValidationError(
                    self.env._(
                        "%(level)s is not assessed on %(instrument)s: add the instrument to the "
                        "level or its scheme first.",
                        level=level.display_name,
                        instrument=instrument.name,
                    )
                )
            refusal = self._prerequisite_refusal(
                qualification.user_id,
                instrument,
                level,
                on_date=qualification.date_granted,
                exclude=qualification,
            )
            if refusal:
                raise ValidationError(refusal)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_permitted(self):
            self.check_access("create")  # no right to grant at all: the plain access error first
            user = self.env.user
            for vals in vals_list:
                if vals.get("assessment_id"):
                    raise UserError(
                        self.env._(
                            "Grant rule: a qualification comes from an assessment only when that "
                            "assessment is signed off; grant it without the assessment."
                        )
                    )
                if vals.get("granted_by_id", user.id) != user.id:
                    raise UserError(
                        self.env._(
                            "Grant rule: a qualification is recorded as granted by whoever "
                            "grants it."
                        )
                    )
                if vals.get("user_id") == user.id:
                    raise UserError(self._self_grant_message())
        qualifications = super().create(vals_list)
        self.env["res.users"].invalidate_model(["facility_qualification_ids"])
        return qualifications

    def write(self, vals):
        if not is_permitted(self):
            fixed = IDENTITY_FIELDS & set(vals)
            if "granted_by_id" in vals:
                fixed.add("granted_by_id")
            if fixed:
                raise UserError(
                    self.env._(
                        "Qualification rule: the %(fields)s of a qualification cannot change; "
                        "revoke it and grant a new one.",
                        fields=field_labels(self, fixed),
                    )
                )
            if self.env.user in self.user_id:
                raise UserError(self._self_grant_message())
        if {"date_granted", "assessment_id"} & set(vals) and "needs_retraining" not in vals:
            # granted again (a renewal by an assessment or staff): retrained
            vals = dict(vals, needs_retraining=False, retraining_sanction_id=False)
        res = super().write(vals)
        if {"user_id", "active"} & set(vals):
            self.env["res.users"].invalidate_model(["facility_qualification_ids"])
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"].invalidate_model(["facility_qualification_ids"])
        return res

    def _self_grant_message(self):
        return self.env._(
            "Grant rule: %(user)s cannot grant or change their own qualifications; another "
            "manager of the instrument or a facility manager does.",
            user=self.env.user.name,
        )

    def action_revoke(self):
        self.write({"active": False})

    def action_restore(self):
        self.write({"active": True})

    def action_clear_retraining(self):
        """Staff confirm the holder was retrained: the qualification counts again."""
        self.write({"needs_retraining": False, "retraining_sanction_id": False})
        for qualification in self:
            qualification.message_post(
                body=self.env._("Retraining cleared by %(user)s.", user=self.env.user.name)
            )

    def _flag_retraining(self, sanction):
        """A sanction requires retraining: these qualifications stop counting for booking."""
        to_flag = self.filtered(lambda q: not q.needs_retraining)
        to_flag.sudo().write({"needs_retraining": True, "retraining_sanction_id": sanction.id})
        for qualification in to_flag:
            qualification.sudo().message_post(
                body=self.env._(
                    "Retraining required (%(sanction)s): this qualification does not count for "
                    "booking until retrained.",
                    sanction=sanction.display_name,
                ),
                partner_ids=qualification.user_id.partner_id.ids,
            )

    @api.model
    def is_qualified(self, user, instrument, level, on_date=None):
        """Whether ``user`` holds ``level`` (or a level implying it) on ``instrument``.

        ``user``, ``instrument`` and ``level`` are records or ids (so the question can be asked
        over RPC); ``on_date`` (a date or ``YYYY-MM-DD``, default today) is checked against the
        grant and expiry dates; revoked qualifications never count. Arguments of the wrong kind
        are refused with a :class:`~odoo.exceptions.UserError`.
        """
        user = self._coerce_record("res.users", user, "user")
        instrument = self._coerce_record("facility.instrument", instrument, "instrument")
        level = self._coerce_record("facility.certification.level", level, "level")
        on_date = self._coerce_date(on_date)
        held = self._held_levels(user, instrument, on_date)
        return level.id in held.get(instrument.id, set())

    @api.model
    def _coerce_record(self, model, value, argument):
        """``value`` (a record of ``model``, its id or a one-id list) as one existing record."""
        records = self.env[model]
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if isinstance(value, models.BaseModel) and value._name == model:
            if len(value) == 1:
                return value
        elif isinstance(value, int) and not isinstance(value, bool):
            if records.browse(value).sudo().exists():
                return records.browse(value)
        else:
            raise UserError(
                self.env._(
                    "Qualification check: give the %(argument)s as a record of %(model)s or its "
                    "id, not %(value)s.",
                    argument=argument,
                    model=records._description,
                    value=repr(value)[:50],
                )
            )
        raise UserError(
            self.env._(
                "Qualification check: there is no single %(model)s %(value)s.",
                model=records._description,
                value=repr(value)[:50],
            )
        )

    @api.model
    def _coerce_date(self, value):
        if value is None or value is False:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        refusal = UserError(
            self.env._(
                "Qualification check: give the date as YYYY-MM-DD, not %(value)s.",
                value=repr(value)[:50],
            )
        )
        if not isinstance(value, str):
            raise refusal
        try:
            return fields.Date.to_date(value)
        except ValueError:
            raise refusal from None

    @api.model
    def _held_levels(self, user, instruments, on_date=None, exclude=None):
        """``{instrument_id: {level_id, ...}}`` of the levels ``user`` holds on ``instruments``."""
        on_date = on_date or fields.Date.context_today(self)
        domain = [
            ("user_id", "=", user.id),
            ("instrument_id", "in", instruments.ids),
            ("needs_retraining", "=", False),  # a sanction asked for retraining
        ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        qualifications = self.sudo().search(domain)
        granted = defaultdict(list)
        for qualification in qualifications:
            if rules.is_current(qualification.date_granted, qualification.date_expiry, on_date):
                granted[qualification.instrument_id.id].append(qualification.level_id.id)
        structure = self.env["facility.certification.level"]._level_structure()
        prerequisite_of = {k: v[0] for k, v in structure.items()}
        scope_of = {k: v[1] for k, v in structure.items()}
        return {
            instrument_id: rules.held_levels(level_ids, prerequisite_of, scope_of)
            for instrument_id, level_ids in granted.items()
        }

    @api.model
    def _prerequisite_refusal(self, user, instrument, level, on_date=None, exclude=None):
        """A translated message when ``user`` lacks the prerequisite of ``level``, else None."""
        prerequisite = level.prerequisite_id
        if not prerequisite:
            return None
        scheme_instruments = level.scheme_id.instrument_ids | instrument
        held = self._held_levels(user, scheme_instruments, on_date, exclude)
        held_in_scheme = set().union(*held.values()) if held else set()
        if rules.prerequisite_met(
            level.id,
            level._prerequisite_map(),
            level._scope_map(),
            held.get(instrument.id, set()),
            held_in_scheme,
        ):
            return None
        code = (
            Rule.PREREQUISITE_SCHEME
            if level.prerequisite_scope == rules.SCOPE_SCHEME
            else Rule.PREREQUISITE_INSTRUMENT
        )
        return RuleText(self.env).sentence(
            Violation(code, {}),
            user=user.name,
            prerequisite=prerequisite.name,
            scheme=level.scheme_id.name,
            instrument=instrument.name,
            level=level.name,
        )
