from odoo import api, fields, models
from odoo.exceptions import UserError


class FacilityEvalInspection(models.Model):
    """A spot check by the equipment office (seed 002 第三条 1) and its findings."""

    _name = "facility.eval.inspection"
    _description = "Evaluation Spot Check"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    topic = fields.Selection(
        [
            ("usage_records", "Daily Usage Records"),
            ("collector", "Machine-Time Collector Running"),
            ("platform", "Use of the Platform"),
            ("rectification", "Rectification of Last Year's Problems"),
            ("other", "Other"),
        ],
        required=True,
        default="usage_records",
        tracking=True,
        help="What seed 002 第三条 1 has the school check at random: the daily usage records "
        "(日常使用记录), whether the machine-time collector runs (机时采集器运行状态), the use of "
        "the platform (平台使用) and the rectification of last year's problems (上一年度问题整改).",
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
    instrument_id = fields.Many2one("facility.instrument", index=True, tracking=True)
    inspector_id = fields.Many2one("res.users", default=lambda self: self.env.user, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    findings = fields.Html()
    result = fields.Selection(
        [("ok", "No Problem"), ("problems", "Problems")],
        required=True,
        default="ok",
        tracking=True,
    )
    problem_ids = fields.One2many("facility.eval.problem", "inspection_id", string="Problems")
    problem_count = fields.Integer(compute="_compute_problem_count")

    @api.depends("instrument_id")
    def _compute_unit_id(self):
        collector = self.env["facility.eval.collector"]
        for inspection in self:
            if inspection.instrument_id and not inspection.unit_id:
                inspection.unit_id = collector.eval_unit(inspection.instrument_id.unit_id)

    @api.depends("problem_ids")
    def _compute_problem_count(self):
        for inspection in self:
            inspection.problem_count = len(inspection.problem_ids)

    def action_create_problem(self):
        """Record a problem found by this spot check (to be rectified by the unit) and mark the
        check as having found problems; opens the new problem."""
        self.ensure_one()
        if not self.unit_id:
            raise UserError(
                self.env._(
                    "Spot check %(name)s names no unit: choose the unit (or the instrument) "
                    "whose head will rectify the problem.",
                    name=self.name,
                )
            )
        problem = self.env["facility.eval.problem"].create(self._prepare_problem_vals())
        if self.result != "problems":
            self.result = "problems"
        return problem._form_action()

    def action_view_problems(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Problems"),
            "res_model": "facility.eval.problem",
            "view_mode": "list,form",
            "domain": [("inspection_id", "=", self.id)],
            "context": {"default_inspection_id": self.id, "default_source": "inspection"},
        }

    def _prepare_problem_vals(self):
        """Values of a problem found by this spot check (a hook)."""
        return {
            "name": self.env._("%(topic)s: %(check)s", topic=self._topic_label(), check=self.name),
            "year": self.date.year,
            "source": "inspection",
            "inspection_id": self.id,
            "unit_id": self.unit_id.id,
            "instrument_id": self.instrument_id.id,
            "description": self.findings,
            "company_id": self.company_id.id,
        }

    def _topic_label(self):
        return dict(self._fields["topic"]._description_selection(self.env)).get(self.topic, "")
