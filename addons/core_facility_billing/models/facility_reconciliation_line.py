from odoo import fields, models

from ..rules.reconcile import DifferenceKind as K
from ..rules.yuan import yuan


class FacilityReconciliationLine(models.Model):
    """One difference found by a reconciliation (written by its check only)."""

    _name = "facility.reconciliation.line"
    _description = "Billing Reconciliation Difference"
    _inherit = ["facility.guarded.mixin"]
    _order = "reconciliation_id, id"
    _guarded_fields = ("kind", "charge_id", "move_id", "expected_amount", "found_amount")

    reconciliation_id = fields.Many2one(
        "facility.reconciliation", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [
            (K.MISSING_ENTRY, "Settled Line Without Entry"),
            (K.UNPOSTED_ENTRY, "Entry Not Posted"),
            (K.TOTAL_MISMATCH, "Entry Total Differs From Its Lines"),
            (K.ENTRY_WITHOUT_LINES, "Entry Without Lines"),
        ],
    )
    name = fields.Char(string="Difference", required=True)
    charge_id = fields.Many2one("facility.charge", string="Charge Line")
    move_id = fields.Many2one("account.move", string="Entry")
    currency_id = fields.Many2one(related="reconciliation_id.company_id.currency_id")
    expected_amount = fields.Monetary(string="Lines Total")
    found_amount = fields.Monetary(string="Entry Total")

    def _describe(self, difference, charge, move):
        _ = self.env._
        kind = difference.kind
        if kind == K.MISSING_ENTRY:
            return _(
                "Charge line %(line)s (%(amount)s 元) is settled but in no entry nor invoice.",
                line=charge.display_name,
                amount=yuan(difference.expected),
            )
        if kind == K.UNPOSTED_ENTRY:
            return _(
                "Charge line %(line)s is settled in %(entry)s, which is not posted.",
                line=charge.display_name,
                entry=move.display_name,
            )
        if kind == K.TOTAL_MISMATCH:
            return _(
                "%(entry)s totals %(found)s 元 but its lines total %(expected)s 元.",
                entry=move.display_name,
                found=yuan(difference.found),
                expected=yuan(difference.expected),
            )
        return _(
            "%(entry)s (%(found)s 元) is a posted facility entry without charge lines.",
            entry=move.display_name,
            found=yuan(difference.found),
        )
