from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from odoo.addons.core_facility.models.access import field_labels

STATES = [
    ("open", "Open"),
    ("rectifying", "Rectifying"),
    ("rectified", "Rectified"),
    ("verified", "Verified"),
]
STILL_OPEN = ("open", "rectifying", "rectified")
# what a unit (its head) writes on a problem recorded against it: its plan and what it did; the
# rest (which unit, instrument, year, what and by when) is the equipment office's record
UNIT_FIELDS = ("plan", "rectification_note", "message_main_attachment_id")


class FacilityEvalProblem(models.Model):
    """A problem found by an evaluation or a spot check, tracked to its rectification (整改).

    Open → Rectifying (the unit's plan entered) → Rectified (the unit reports it done) →
    Verified (the equipment office checked it; a spot check of the next year can do it). A
    problem not verified by the end of its year is carried into the next year's campaign:
    the "Open from previous years" filter."""

    _name = "facility.eval.problem"
    _description = "Evaluation Problem"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "year desc, id desc"
    _guarded_fields = ("state", "rectified_date", "verified_by_id", "verified_date")

    name = fields.Char(required=True, tracking=True)
    year = fields.Integer(
        required=True,
        index=True,
        default=lambda self: fields.Date.context_today(self).year,
        tracking=True,
        help="The year the problem was found.",
    )
    source = fields.Selection(
        [
            ("inspection", "Spot Check"),
            ("evaluation", "Evaluation Form"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
    )
    inspection_id = fields.Many2one("facility.eval.inspection", ondelete="set null", index=True)
    sheet_id = fields.Many2one(
        "facility.eval.sheet",
        string="Instrument Form",
        ondelete="set null",
        index=True,
        help="The evaluation form on which the problem was found.",
    )
    unit_id = fields.Many2one(
        "facility.unit",
        string="Unit (二级单位)",
        index=True,
        compute="_compute_unit_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    instrument_id = fields.Many2one("facility.instrument", index=True)
    responsible_id = fields.Many2one(
        "res.users",
        compute="_compute_responsible_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Who rectifies: the head of the unit by default.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    description = fields.Html()
    plan = fields.Html(string="Rectification Plan")
    deadline = fields.Date(string="Rectify By", tracking=True)
    rectification_note = fields.Text(string="What Was Done")
    state = fields.Selection(STATES, required=True, default="open", tracking=True, index=True)
    rectified_date = fields.Date(readonly=True, copy=False)
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    verified_date = fields.Date(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")

    @api.depends("instrument_id", "sheet_id")
    def _compute_unit_id(self):
        collector = self.env["facility.eval.collector"]
        for problem in self:
            if problem.unit_id:
                continue
            if problem.sheet_id:
                problem.unit_id = problem.sheet_id.unit_id
            elif problem.instrument_id:
                problem.unit_id = collector.eval_unit(problem.instrument_id.unit_id)

    @api.depends("unit_id")
    def _compute_responsible_id(self):
        for problem in self:
            if not problem.responsible_id:
                problem.responsible_id = problem.unit_id.manager_id

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for problem in self:
            problem.is_overdue = bool(
                problem.deadline and problem.deadline < today and problem.state in STILL_OPEN[:2]
            )

    def write(self, vals):
        recorded = set(vals) - set(UNIT_FIELDS) - set(self._guarded_fields)
        if recorded and not (
            self.env.su or self.env.user.has_group("core_facility_eval.group_eval_school_assessor")
        ):
            raise AccessError(
                self.env._(
                    "Only the equipment office changes what it recorded of a problem "
                    "(%(fields)s); the unit enters its rectification plan and what was done.",
                    fields=field_labels(self, recorded),
                )
            )
        return super().write(vals)

    @api.model
    def action_create_from_sheets(self, sheets):
        """Record a problem found on each of ``sheets`` (evaluation forms): its year, unit and
        instrument; opens them. The forms' Action menu, for the equipment office."""
        problems = self.create(
            [
                {
                    "name": self.env._(
                        "Evaluation %(year)s: %(instrument)s",
                        year=sheet.year,
                        instrument=sheet.instrument_id.display_name,
                    ),
                    "year": sheet.year,
                    "source": "evaluation",
                    "sheet_id": sheet.id,
                    "unit_id": sheet.unit_id.id,
                    "instrument_id": sheet.instrument_id.id,
                    "company_id": sheet.company_id.id,
                }
                for sheet in sheets
            ]
        )
        if len(problems) == 1:
            return problems._form_action()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_eval.action_facility_eval_problem"
        )
        action.update(domain=[("id", "in", problems.ids)], context={})
        return action

    def action_start_rectification(self):
        """Open → Rectifying: the unit has a rectification plan."""
        for problem in self:
            problem._check_state(("open",))
            if not problem._html_text(problem.plan):
                raise UserError(
                    self.env._(
                        "Problem %(name)s: enter the rectification plan before starting the "
                        "rectification.",
                        name=problem.name,
                    )
                )
            problem._write_guarded({"state": "rectifying"})

    def action_mark_rectified(self):
        """Rectifying → Rectified: the unit reports the rectification done."""
        for problem in self:
            problem._check_state(("rectifying",))
            problem._write_guarded(
                {"state": "rectified", "rectified_date": fields.Date.context_today(self)}
            )

    def action_verify(self):
        """Rectified → Verified, by the equipment office (school assessors)."""
        self._check_school()
        for problem in self:
            problem._check_state(("rectified",))
            problem._write_guarded(
                {
                    "state": "verified",
                    "verified_by_id": self.env.user.id,
                    "verified_date": fields.Date.context_today(self),
                }
            )

    def action_reopen(self):
        """Rectified → Rectifying: the equipment office finds the rectification insufficient."""
        self._check_school()
        for problem in self:
            problem._check_state(("rectified",))
            problem._write_guarded({"state": "rectifying", "rectified_date": False})

    def _check_state(self, allowed):
        self.ensure_one()
        if self.state not in allowed:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Problem %(name)s is %(state)s: this step needs it %(allowed)s.",
                    name=self.name,
                    state=labels[self.state],
                    allowed=" / ".join(labels[state] for state in allowed),
                )
            )

    def _check_school(self):
        if not self.env.user.has_group("core_facility_eval.group_eval_school_assessor"):
            raise AccessError(
                self.env._("Only the equipment office's assessors verify a rectification.")
            )

    @staticmethod
    def _html_text(html):
        return html2plaintext(html or "").strip()

    def _form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
