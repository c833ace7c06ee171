from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import CASES_MAX, CaseSection


class FacilityEvalCase(models.Model):
    """A showcase case of a unit (附件2 7.4, 8.5): up to five per section, one point each.

    The unit's head enters them while the units self-assess, until signing the unit's form; the
    form's columns count them.
    """

    _name = "facility.eval.case"
    _description = "Evaluation Showcase Case"
    _order = "unit_eval_id, section, sequence, id"

    unit_eval_id = fields.Many2one(
        "facility.eval.unit", required=True, ondelete="cascade", index=True
    )
    section = fields.Selection(
        [(CaseSection.USAGE, "Use of the Instruments"), (CaseSection.SHARING, "Sharing")],
        required=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    description = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")

    @api.constrains("unit_eval_id", "section")
    def _check_cases_max(self):
        for form in self.unit_eval_id:
            for section in CaseSection:
                count = len(form.case_ids.filtered(lambda c, s=section: c.section == s))
                if count > CASES_MAX:
                    label = dict(self._fields["section"]._description_selection(self.env))
                    raise ValidationError(
                        self.env._(
                            "%(form)s: at most %(max)s showcase cases for %(section)s; "
                            "%(count)s were entered.",
                            form=form.display_name,
                            max=CASES_MAX,
                            section=label[section],
                            count=count,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        forms = self.env["facility.eval.unit"].browse(
            {vals["unit_eval_id"] for vals in vals_list if vals.get("unit_eval_id")}
        )
        forms._check_cases_editable()
        cases = super().create(vals_list)
        cases.unit_eval_id._after_cases_edit()
        return cases

    def write(self, vals):
        forms = self.unit_eval_id
        if "unit_eval_id" in vals:
            raise UserError(self.env._("A showcase case stays with its unit's form."))
        forms._check_cases_editable()
        result = super().write(vals)
        if "section" in vals:
            forms._after_cases_edit()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_when_editable(self):
        self.unit_eval_id._check_cases_editable()

    def unlink(self):
        forms = self.unit_eval_id
        result = super().unlink()
        forms.exists()._after_cases_edit()
        return result
