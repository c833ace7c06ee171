from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import certification as rules
from .access import FACILITY_MANAGER, field_labels, is_permitted, permit

# Fields that change only through the sign actions (action_confirm, _sign, action_reset...).
SIGN_FIELDS = {
    "state",
    "date_assessed",
    "trainee_sign_date",
    "lab_head_sign_date",
    "unit_head_sign_date",
}
# Stored copies of the research group's PI and the level's scheme: never written directly.
FOLLOWING_FIELDS = {"lab_head_id", "scheme_id"}


class FacilityAssessment(models.Model):
    """An assessment (考核) of a trainee at one level on one or more instruments.

    The assessor records every checklist item pass/fail per instrument and signs; then the trainee,
    the lab head (the research group's PI) and the unit head sign off. Once all have signed, every
    instrument on which all items passed grants a qualification.
    """

    _name = "facility.assessment"
    _description = "Certification Assessment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index=True
    )
    trainee_id = fields.Many2one("res.users", required=True, index=True, tracking=True)
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        index=True,
        tracking=True,
        domain="[('member_ids', 'in', trainee_id)]",
    )
    lab_head_id = fields.Many2one(related="research_group_id.pi_id", string="Lab Head", store=True)
    unit_head_id = fields.Many2one(
        "res.users",
        compute="_compute_unit_head_id",
        store=True,
        readonly=False,
        tracking=True,
        help="Head of the trainee's research unit (研究单元负责人); defaults to the head of the "
        "research group's unit.",
    )
    level_id = fields.Many2one(
        "facility.certification.level",
        required=True,
        tracking=True,
        ondelete="restrict",
    )
    scheme_id = fields.Many2one(related="level_id.scheme_id", store=True)
    instrument_ids = fields.Many2many(
        "facility.instrument",
        "facility_assessment_instrument_rel",
        "assessment_id",
        "instrument_id",
        string="Instruments",
        required=True,
        help="Each instrument is assessed separately, one result column per instrument.",
    )
    line_ids = fields.One2many("facility.assessment.line", "assessment_id", string="Results")
    assessor_id = fields.Many2one("res.users", default=lambda self: self.env.user, tracking=True)
    date_assessed = fields.Date(string="Assessment Date", tracking=True, copy=False)
    trainee_sign_date = fields.Date(string="Trainee Signed", readonly=True, copy=False)
    lab_head_sign_date = fields.Date(string="Lab Head Signed", readonly=True, copy=False)
    unit_head_sign_date = fields.Date(string="Unit Head Signed", readonly=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Assessing"),
            ("assessed", "Awaiting Sign-off"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        tracking=True,
        copy=False,
    )
    passed_instrument_ids = fields.Many2many(
        "facility.instrument",
        compute="_compute_results",
        string="Passed On",
    )
    result_summary = fields.Char(compute="_compute_results", string="Result")
    qualification_ids = fields.One2many(
        "facility.qualification", "assessment_id", string="Qualifications Granted"
    )
    can_sign_as = fields.Char(
        compute="_compute_can_sign_as",
        help="Technical: the sign-offs the current user may give (trainee, lab_head, unit_head).",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.depends("research_group_id.unit_id")
    def _compute_unit_head_id(self):
        for assessment in self:
            unit = assessment.research_group_id.unit_id
            assessment.unit_head_id = unit._get_heads()[:1] if unit else False

    @api.depends("line_ids.result", "instrument_ids", "level_id")
    def _compute_results(self):
        for assessment in self:
            results = assessment._results()
            passed = [i for i, result in results.items() if result == rules.RESULT_PASS]
            assessment.passed_instrument_ids = [Command.set(passed)]
            labels = {
                rules.RESULT_PASS: self.env._("passed"),
                rules.RESULT_FAIL: self.env._("failed"),
                "pending": self.env._("pending"),
            }
            assessment.result_summary = "; ".join(
                f"{instrument.name}: {labels[results.get(instrument.id, 'pending')]}"
                for instrument in assessment.instrument_ids
            )

    @api.depends_context("uid")
    @api.depends("state", "trainee_id", "lab_head_id", "unit_head_id")
    def _compute_can_sign_as(self):
        user = self.env.user
        for assessment in self:
            roles = []
            if assessment.state == "assessed":
                if user == assessment.trainee_id and not assessment.trainee_sign_date:
                    roles.append("trainee")
                if user == assessment.lab_head_id and not assessment.lab_head_sign_date:
                    roles.append("lab_head")
                if user == assessment.unit_head_id and not assessment.unit_head_sign_date:
                    roles.append("unit_head")
            assessment.can_sign_as = ",".join(roles)

    @api.constrains("trainee_id", "research_group_id", "level_id", "instrument_ids")
    def _check_consistency(self):
        for assessment in self:
            if assessment.trainee_id not in assessment.research_group_id._all_members():
                raise ValidationError(
                    self.env._(
                        "%(trainee)s is not a member of %(group)s.",
                        trainee=assessment.trainee_id.name,
                        group=assessment.research_group_id.name,
                    )
                )
            outside = assessment.instrument_ids - assessment.level_id._get_instruments()
            if outside:
                raise ValidationError(
                    self.env._(
                        "%(level)s is not assessed on %(instruments)s.",
                        level=assessment.level_id.display_name,
                        instruments=", ".join(outside.mapped("name")),
                    )
                )

    @api.constrains("assessor_id", "instrument_ids")
    def _check_assessor_manages(self):
        for assessment in self:
            assessment._check_assessor(ValidationError)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("facility.assessment") or "/"
                )
            if not is_permitted(self):
                protected = {f for f in SIGN_FIELDS | FOLLOWING_FIELDS if vals.get(f)}
                if vals.get("state") == "draft":
                    protected.discard("state")
                if protected:
                    raise UserError(self._sign_rule_message(protected, vals.get("name")))
        self._check_unit_head(vals_list)
        assessments = super().create(vals_list)
        assessments._sync_lines()
        return assessments

    def write(self, vals):
        if not is_permitted(self):
            protected = set(vals) & (SIGN_FIELDS | FOLLOWING_FIELDS)
            if protected:
                raise UserError(
                    "\n".join(
                        self._sign_rule_message(protected, assessment.name) for assessment in self
                    )
                )
            if "unit_head_id" in vals:
                for assessment in self:
                    group_id = vals.get("research_group_id", assessment.research_group_id.id)
                    self._check_unit_head([dict(vals, research_group_id=group_id)])
        locked = {"trainee_id", "research_group_id", "level_id", "instrument_ids", "assessor_id"}
        if locked & set(vals) and any(a.state != "draft" for a in self):
            raise UserError(
                self.env._(
                    "Only an assessment being assessed can change its trainee, level, "
                    "instruments or assessor."
                )
            )
        res = super().write(vals)
        if {"level_id", "instrument_ids"} & set(vals):
            self._sync_lines()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(a.state == "done" for a in self):
            raise UserError(self.env._("A completed assessment is a record and cannot be deleted."))

    def action_confirm(self):
        """The assessor signs: results are fixed and the sign-offs can start."""
        for assessment in self:
            if assessment.state != "draft":
                raise UserError(self.env._("Only an assessment being assessed can be signed."))
            if self.env.user != assessment.assessor_id:
                raise UserError(
                    self.env._(
                        "Only the assessor %(assessor)s can sign this assessment.",
                        assessor=assessment.assessor_id.name or "-",
                    )
                )
            assessment._check_assessor()
            missing = assessment.line_ids.filtered(lambda line: not line.result)
            if missing:
                raise UserError(
                    self.env._(
                        "Record a result for every item before signing: %(items)s.",
                        items=", ".join(missing.mapped("display_name")),
                    )
                )
        permit(self).write({"state": "assessed", "date_assessed": fields.Date.context_today(self)})

    def action_sign_trainee(self):
        self._sign("trainee", "trainee_id", "trainee_sign_date")

    def action_sign_lab_head(self):
        self._sign("lab_head", "lab_head_id", "lab_head_sign_date")

    def action_sign_unit_head(self):
        self._sign("unit_head", "unit_head_id", "unit_head_sign_date")

    def action_cancel(self):
        if any(a.state == "done" for a in self):
            raise UserError(self.env._("A completed assessment cannot be cancelled."))
        permit(self).write({"state": "cancelled"})

    def action_reset(self):
        if any(a.state == "done" for a in self):
            raise UserError(self.env._("A completed assessment cannot be reset."))
        permit(self).write(
            {
                "state": "draft",
                "date_assessed": False,
                "trainee_sign_date": False,
                "lab_head_sign_date": False,
                "unit_head_sign_date": False,
            }
        )

    def action_print(self):
        return self.env.ref("core_facility.action_report_facility_assessment").report_action(self)

    def _sheet_title(self):
        """Title of the printed assessment sheet, in the record's language."""
        self.ensure_one()
        return self.env._(
            "%(scheme)s – User Training Assessment Sheet", scheme=self.scheme_id.name or ""
        )

    def _sheet_column_title(self, instrument):
        return self.env._("Result (%(instrument)s)", instrument=instrument.name)

    def _sheet_outcomes(self):
        """``[(sentence, passed)]`` per instrument for the result box of the sheet."""
        self.ensure_one()
        outcomes = []
        for instrument in self.instrument_ids:
            if self.level_id.allows_independent_use:
                sentence = self.env._(
                    "Can operate %(instrument)s independently", instrument=instrument.name
                )
            else:
                sentence = self.env._(
                    "Passed %(level)s on %(instrument)s",
                    level=self.level_id.name,
                    instrument=instrument.name,
                )
            outcomes.append((sentence, instrument in self.passed_instrument_ids))
        return outcomes

    def _check_assessor(self, error=UserError):
        """Assessor rule: only a manager of every assessed instrument may assess and sign as
        assessor."""
        self.ensure_one()
        assessor = self.assessor_id
        foreign = (
            self.with_context(active_test=False)
            .instrument_ids.sudo()
            .filtered(lambda i: assessor not in i.manager_ids)
        )
        if foreign:
            raise error(
                self.env._(
                    "Assessor rule: only the managers of %(instruments)s may sign this assessment "
                    "as assessor; %(assessor)s is not one of them.",
                    instruments=", ".join(foreign.mapped("name")),
                    assessor=assessor.name or "-",
                )
            )

    def _sign_rule_message(self, field_names, name):
        return self.env._(
            "Sign-off rule: %(fields)s of assessment %(assessment)s change only through the sign "
            "actions: the assessor signs, then the trainee, the lab head and the unit head.",
            fields=field_labels(self, field_names),
            assessment=name or "/",
        )

    @api.model
    def _check_unit_head(self, vals_list):
        """The unit head who signs is the head of the research group's unit; only a facility
        manager names another one."""
        if is_permitted(self) or self.env.user.has_group(FACILITY_MANAGER):
            return
        for vals in vals_list:
            if "unit_head_id" not in vals:
                continue
            group = self.env["facility.research.group"].sudo().browse(vals.get("research_group_id"))
            unit = group.unit_id
            head = unit._get_heads()[:1] if unit else self.env["res.users"]
            if (vals["unit_head_id"] or False) != (head.id or False):
                raise UserError(
                    self.env._(
                        "Sign-off rule: the unit head who signs is the head of the research "
                        "group's unit (%(head)s); only a facility manager can name another.",
                        head=head.name or "-",
                    )
                )

    def _sign(self, role, signer_field, date_field):
        labels = {
            "trainee": self.env._("the trainee"),
            "lab_head": self.env._("the lab head"),
            "unit_head": self.env._("the unit head"),
        }
        for assessment in self:
            if assessment.state != "assessed":
                raise UserError(self.env._("Sign-offs are given once the assessor has signed."))
            signer = assessment[signer_field]
            if self.env.user != signer:
                raise UserError(
                    self.env._(
                        "Sign-off rule: only %(role)s (%(signer)s) can sign here.",
                        role=labels[role],
                        signer=signer.name or "-",
                    )
                )
            if assessment[date_field]:
                raise UserError(self.env._("This sign-off was already given."))
            permit(assessment.sudo())[date_field] = fields.Date.context_today(assessment)
            assessment.sudo().message_post(
                body=self.env._("Signed by %(role)s.", role=labels[role])
            )
            if (
                assessment.trainee_sign_date
                and assessment.lab_head_sign_date
                and assessment.unit_head_sign_date
            ):
                assessment.sudo()._grant_qualifications()

    def _results(self):
        """``{instrument_id: "pass" | "fail" | "pending"}`` for this assessment."""
        self.ensure_one()
        items = [(item.id, item.per_instrument) for item in self.level_id.item_ids]
        lines = [
            (line.item_id.id, line.instrument_id.id or None, line.result or None)
            for line in self.line_ids
        ]
        return rules.assessment_results(self.instrument_ids.ids, items, lines)

    def _sync_lines(self):
        """Create one line per item and instrument (one per common item), drop stale ones."""
        for assessment in self:
            wanted = set()
            for item in assessment.level_id.item_ids:
                if item.per_instrument:
                    wanted |= {(item.id, instrument.id) for instrument in assessment.instrument_ids}
                else:
                    wanted.add((item.id, False))
            existing = {
                (line.item_id.id, line.instrument_id.id): line for line in assessment.line_ids
            }
            stale = assessment.line_ids.filtered(
                lambda line, w=wanted: (line.item_id.id, line.instrument_id.id) not in w
            )
            permit(stale).unlink()
            missing = sorted(wanted - set(existing), key=lambda k: (k[1] or 0, k[0]))
            permit(assessment).line_ids = [
                Command.create({"item_id": item_id, "instrument_id": instrument_id})
                for item_id, instrument_id in missing
            ]

    def _grant_qualifications(self):
        """Grant (or renew) the level on every instrument passed, then close the assessment."""
        qualification_model = self.env["facility.qualification"].with_context(active_test=False)
        for assessment in self:
            day = assessment.date_assessed or fields.Date.context_today(assessment)
            for instrument in assessment.passed_instrument_ids:
                values = {
                    "date_granted": day,
                    "assessment_id": assessment.id,
                    "granted_by_id": assessment.assessor_id.id,
                    "active": True,
                }
                existing = qualification_model.search(
                    [
                        ("user_id", "=", assessment.trainee_id.id),
                        ("instrument_id", "=", instrument.id),
                        ("level_id", "=", assessment.level_id.id),
                    ]
                )
                if existing:
                    existing.write(values)
                else:
                    qualification_model.create(
                        dict(
                            values,
                            user_id=assessment.trainee_id.id,
                            instrument_id=instrument.id,
                            level_id=assessment.level_id.id,
                        )
                    )
            permit(assessment).state = "done"
