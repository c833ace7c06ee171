from odoo import fields, models

from ..rules.codes import SheetState


class FacilityEvalUnit(models.Model):
    """The form of one 二级单位 in one campaign (附件2): averages of its assessed instruments,
    showcase cases, the unit's self-assessment and the school's column, who signed them."""

    _name = "facility.eval.unit"
    _description = "Unit Evaluation Form"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "campaign_id desc, unit_id"
    _guarded_fields = (
        "state",
        "unit_signer_id",
        "unit_signed_date",
        "school_signer_id",
        "school_signed_date",
    )

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    year = fields.Integer(related="campaign_id.year", store=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_id = fields.Many2one("facility.unit", required=True, index=True, ondelete="restrict")
    state = fields.Selection(
        [
            (SheetState.DRAFT, "Draft"),
            (SheetState.UNIT_SIGNED, "Unit Signed"),
            (SheetState.SCHOOL_SIGNED, "School Signed"),
        ],
        required=True,
        default=SheetState.DRAFT,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("facility.eval.unit.line", "unit_eval_id", string="Lines")
    case_ids = fields.One2many("facility.eval.case", "unit_eval_id", string="Showcase Cases")
    sheet_count = fields.Integer(string="Instruments Assessed", readonly=True)
    hours_avg = fields.Float(string="Average Annual Hours", readonly=True)
    external_hours_avg = fields.Float(string="Average External Hours", readonly=True)
    fees_total = fields.Monetary(string="Total Shared Fees", readonly=True)
    total_computed = fields.Float(readonly=True)
    total_unit = fields.Float(readonly=True)
    total_school = fields.Float(readonly=True)
    failed = fields.Boolean(readonly=True, index=True)
    unit_signer_id = fields.Many2one("res.users", string="Unit Signed By", readonly=True)
    unit_signed_date = fields.Date(readonly=True)
    school_signer_id = fields.Many2one("res.users", string="School Signed By", readonly=True)
    school_signed_date = fields.Date(readonly=True)

    _sql_constraints = [
        (
            "unit_campaign_unique",
            "unique(campaign_id, unit_id)",
            "A unit has one form per campaign.",
        )
    ]
