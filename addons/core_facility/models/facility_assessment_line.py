from odoo import api, fields, models
from odoo.exceptions import UserError

from .access import field_labels, is_permitted

# What a result is about: set by the assessment when it lays out its checklist, never by hand.
LAYOUT_FIELDS = {"assessment_id", "item_id", "instrument_id", "sequence"}


class FacilityAssessmentLine(models.Model):
    """The result of one checklist item on one instrument (or once, for a common item).

    Lines are laid out by their assessment from the level's checklist; the assessor records the
    result and a note.
    """

    _name = "facility.assessment.line"
    _description = "Assessment Result"
    _order = "assessment_id, instrument_id, sequence, id"

    assessment_id = fields.Many2one(
        "facility.assessment", required=True, ondelete="cascade", index=True
    )
    item_id = fields.Many2one("facility.certification.item", required=True, ondelete="restrict")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    instrument_id = fields.Many2one(
        "facility.instrument",
        ondelete="restrict",
        help="Empty for an item assessed once for all instruments.",
    )
    result = fields.Selection([("pass", "Pass"), ("fail", "Fail")])
    note = fields.Char()

    @api.depends("item_id.name", "instrument_id.name")
    def _compute_display_name(self):
        for line in self:
            if line.instrument_id:
                line.display_name = f"{line.item_id.name} ({line.instrument_id.name})"
            else:
                line.display_name = line.item_id.name

    @api.model_create_multi
    def create(self, vals_list):
        if not is_permitted(self):
            raise UserError(self._layout_message(LAYOUT_FIELDS - {"sequence"}))
        return super().create(vals_list)

    def write(self, vals):
        layout = LAYOUT_FIELDS & set(vals)
        if layout and not is_permitted(self):
            raise UserError(self._layout_message(layout))
        if {"result", "item_id", "instrument_id"} & set(vals) and any(
            line.assessment_id.state != "draft" for line in self
        ):
            raise UserError(
                self.env._("Results are fixed once the assessor has signed the assessment.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_layout(self):
        if not is_permitted(self):
            raise UserError(self._layout_message(LAYOUT_FIELDS - {"sequence"}))

    def _layout_message(self, field_names):
        return self.env._(
            "Checklist rule: the results of an assessment follow its level's checklist and "
            "instruments; %(fields)s are set by the assessment, and the assessor records only "
            "the result and the note.",
            fields=field_labels(self, field_names),
        )
