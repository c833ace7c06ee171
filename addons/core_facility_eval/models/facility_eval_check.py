from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules.codes import Column, DailyItem, SheetState


class FacilityEvalCheck(models.Model):
    """One of the five daily-management items of an instrument's form (附件3 §2), with its
    evidence (the seed asks for written material).

    The unit's head ticks the items (``present``) while the units self-assess; the unit's head
    and the instrument's managers attach the evidence until the unit signs the form.
    """

    _name = "facility.eval.check"
    _description = "Daily Management Check"
    _inherit = ["facility.guarded.mixin"]
    _order = "sheet_id, item"
    _guarded_fields = ("sheet_id", "item")

    sheet_id = fields.Many2one("facility.eval.sheet", required=True, ondelete="cascade", index=True)
    item = fields.Selection(
        [
            (DailyItem.PERSON, "Person in Charge"),
            (DailyItem.LEDGER, "Usage Ledger"),
            (DailyItem.PROCEDURE, "Operating Procedure"),
            (DailyItem.SAFETY, "Safety Rules"),
            (DailyItem.ASSET_TAG, "Asset Tag"),
        ],
        required=True,
    )
    present = fields.Boolean()
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")
    note = fields.Char()

    _sql_constraints = [
        ("item_unique", "unique(sheet_id, item)", "Each item is checked once per form.")
    ]

    @api.ondelete(at_uninstall=False)
    def _unlink_by_computation(self):
        if not self._guard_open():
            raise UserError(
                self.env._("The daily checks of a form are removed only by computing its campaign.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            raise UserError(
                self.env._("The daily checks of a form are created by computing its campaign.")
            )
        return super().create(vals_list)

    def write(self, vals):
        checked = not self._guard_open()
        if checked:
            for sheet in self.sheet_id:
                if "present" not in vals and sheet._may_attach_evidence():
                    continue
                if "present" not in vals and sheet.state != SheetState.DRAFT:
                    raise UserError(
                        self.env._(
                            "%(form)s was signed by %(signer)s on %(date)s: its evidence no "
                            "longer changes.",
                            form=sheet.display_name,
                            signer=sheet.unit_signer_id.name,
                            date=sheet.unit_signed_date,
                        )
                    )
                sheet._raise_refusal(Column.UNIT, entered=True)
        result = super().write(vals)
        if checked and "present" in vals:
            self.sheet_id._after_entered_edit()
        return result
