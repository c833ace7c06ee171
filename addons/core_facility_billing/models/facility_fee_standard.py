from odoo import fields, models

from ..rules.codes import FeeUnit, PayerCategory, StandardState

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


class FacilityFeeStandard(models.Model):
    """A fee standard (收费标准): the rate of an instrument or service type for a payer
    category and unit, approved by the fee-standard review committee and valid from a day until
    the next approved standard supersedes it. Only approved standards charge."""

    _name = "facility.fee.standard"
    _description = "Fee Standard"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "instrument_id, service_type_id, payer_category, date_from desc, id desc"
    _guarded_fields = ("state", "approved_by_id", "approved_date", "date_to")

    name = fields.Char(required=True, tracking=True)
    instrument_id = fields.Many2one("facility.instrument", index=True, tracking=True)
    service_type_id = fields.Many2one("facility.service.type", index=True, tracking=True)
    payer_category = fields.Selection(PAYER_CATEGORIES, required=True, default="internal")
    fee_unit = fields.Selection(FEE_UNITS, string="Unit", required=True, default="hour")
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_price = fields.Monetary(tracking=True)
    walk_in_price = fields.Monetary(
        string="Walk-in Price",
        tracking=True,
        help="Price per hour of unbooked use measured by the instrument's box (IoT).",
    )
    cost_ids = fields.One2many("facility.fee.cost", "standard_id", string="Cost Basis")
    annual_units = fields.Float(
        help="Units charged in a year (e.g. the instrument's rated hours): the cost basis is "
        "spread over them to propose a rate.",
    )
    proposed_price = fields.Monetary(help="Cost-based rate: included annual costs ÷ annual units.")
    date_from = fields.Date(string="Valid From", tracking=True)
    date_to = fields.Date(string="Valid Until", readonly=True, copy=False)
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
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    note = fields.Html()
