from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.core_facility.models.access import is_permitted

from ..rules.codes import COST_KINDS_INCLUDED_BY_DEFAULT, CostKind, StandardState


class FacilityFeeCost(models.Model):
    """One item of a standard's cost basis (materials, utilities, running costs, labour...),
    per year; the standard's calculator spreads the included items over its annual units.
    Depreciation and other items are excluded by default (the seeds charge running costs only).
    The basis is fixed with the standard once it is submitted."""

    _name = "facility.fee.cost"
    _description = "Fee Standard Cost Item"
    _order = "standard_id, sequence, id"

    standard_id = fields.Many2one(
        "facility.fee.standard", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            (CostKind.MATERIALS, "Materials"),
            (CostKind.UTILITIES, "Utilities"),
            (CostKind.RUNNING, "Running Costs"),
            (CostKind.LABOUR, "Labour"),
            (CostKind.DEPRECIATION, "Depreciation"),
            (CostKind.OTHER, "Other"),
        ],
        required=True,
        default=CostKind.RUNNING,
    )
    name = fields.Char(string="Description")
    currency_id = fields.Many2one(related="standard_id.currency_id")
    annual_amount = fields.Monetary(string="Annual Cost")
    included = fields.Boolean(
        compute="_compute_included",
        store=True,
        readonly=False,
        precompute=True,
        help="Counted in the proposed rate. Materials, utilities, running costs and labour are "
        "by default; depreciation and other items are not.",
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(annual_amount >= 0)", "An annual cost cannot be negative."),
    ]

    @api.depends("kind")
    def _compute_included(self):
        for cost in self:
            cost.included = cost.kind in COST_KINDS_INCLUDED_BY_DEFAULT

    @api.model_create_multi
    def create(self, vals_list):
        standards = self.env["facility.fee.standard"].browse(
            [vals["standard_id"] for vals in vals_list if vals.get("standard_id")]
        )
        self._check_draft(standards)
        return super().create(vals_list)

    def write(self, vals):
        standards = self.standard_id
        if vals.get("standard_id"):
            standards |= self.env["facility.fee.standard"].browse(vals["standard_id"])
        self._check_draft(standards)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_of_drafts(self):
        self._check_draft(self.standard_id)

    def _check_draft(self, standards):
        """A standard's cost basis changes while it is a draft only."""
        if is_permitted(self):
            return
        fixed = standards.sudo().filtered(lambda s: s.state != StandardState.DRAFT)
        if fixed:
            raise UserError(
                self.env._(
                    "The cost basis of %(name)s is fixed: it was submitted to the committee. "
                    "Duplicate the standard to propose a new one.",
                    name=fixed[0].name,
                )
            )
