from odoo import fields, models

from ..rules.codes import RulesLevel, SheetState, SheetStatus


class FacilityEvalSheet(models.Model):
    """The form of one instrument in one campaign (附件3, or a row of the benefit table): its
    figures computed from the records, its lines, the unit's and the school's columns."""

    _name = "facility.eval.sheet"
    _description = "Instrument Evaluation Form"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "campaign_id desc, unit_id, instrument_id"
    _check_company_auto = True
    _guarded_fields = (
        "state",
        "status",
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
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, ondelete="restrict", index=True, check_company=True
    )
    unit_id = fields.Many2one(
        "facility.unit", string="Unit (二级单位)", required=True, index=True, ondelete="restrict"
    )
    lab_id = fields.Many2one("facility.unit", string="Laboratory", ondelete="restrict")
    status = fields.Selection(
        [
            (SheetStatus.ASSESSED, "Assessed"),
            (SheetStatus.NOT_ASSESSED, "Not Assessed This Year"),
            (SheetStatus.EXCLUDED, "Excluded"),
        ],
        required=True,
        default=SheetStatus.ASSESSED,
        index=True,
    )
    status_reason = fields.Char(readonly=True)
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
    line_ids = fields.One2many("facility.eval.sheet.line", "sheet_id", string="Lines")
    check_ids = fields.One2many("facility.eval.check", "sheet_id", string="Daily Management")
    # figures computed by facility.eval.collector (written only by the campaign's computation)
    full_months = fields.Integer(readonly=True)
    hours_logged = fields.Float(readonly=True)
    hours = fields.Float(string="Annual Hours", readonly=True)
    external_hours_logged = fields.Float(readonly=True)
    external_hours = fields.Float(readonly=True)
    booking_count = fields.Integer(readonly=True)
    fees = fields.Monetary(readonly=True)
    fees_internal = fields.Monetary(readonly=True)
    fees_external = fields.Monetary(readonly=True)
    fee_standard = fields.Boolean(readonly=True)
    training_hours = fields.Float(readonly=True)
    trainee_count = fields.Integer(readonly=True)
    projects = fields.Integer(readonly=True)
    papers = fields.Integer(readonly=True)
    awards = fields.Integer(readonly=True)
    patents = fields.Integer(readonly=True)
    # the benefit evaluation's figures (seed 001 §3.4)
    key_projects = fields.Integer(readonly=True)
    departments = fields.Integer(readonly=True)
    researchers = fields.Integer(readonly=True)
    national_awards = fields.Integer(readonly=True)
    provincial_awards = fields.Integer(readonly=True)
    sci_papers = fields.Integer(readonly=True)
    core_papers = fields.Integer(readonly=True)
    training_count = fields.Integer(readonly=True)
    # entered by the assessors
    rules_level = fields.Selection(
        [
            (RulesLevel.APPLIED, "Rules Made and Applied"),
            (RulesLevel.MADE, "Rules Made, Not Applied"),
            (RulesLevel.NONE, "No Rules"),
        ],
        default=RulesLevel.APPLIED,
    )
    platform_deduction = fields.Float()
    ledger_deduction = fields.Float()
    explanation = fields.Text(help="Why the effective hours are under 150 (seed 001 §3.4).")
    # totals and the fail rule
    total_computed = fields.Float(readonly=True)
    total_unit = fields.Float(readonly=True)
    total_school = fields.Float(readonly=True)
    failed = fields.Boolean(readonly=True, index=True)
    fail_reason = fields.Char(readonly=True)
    unit_signer_id = fields.Many2one("res.users", string="Unit Signed By", readonly=True)
    unit_signed_date = fields.Date(readonly=True)
    school_signer_id = fields.Many2one("res.users", string="School Signed By", readonly=True)
    school_signed_date = fields.Date(readonly=True)

    _sql_constraints = [
        (
            "instrument_campaign_unique",
            "unique(campaign_id, instrument_id)",
            "An instrument has one form per campaign.",
        )
    ]
