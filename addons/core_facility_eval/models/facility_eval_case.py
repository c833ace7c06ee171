from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import CASES_MAX, CaseSection, Column


class FacilityEvalCase(models.Model):
    """A showcase case of a unit (附件2 7.4, 8.5): up to five per section, one point each.

    The unit's head enters them while the units self-assess, until signing the unit's form; the
    computed and unit columns count them all, the school column those the school accepts (the
    school's assessors accept or reject each case while the school assesses).
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
    school_accepted = fields.Boolean(
        string="Accepted by the School",
        default=True,
        readonly=True,
        help="Whether the school column counts this case (the school's assessors decide while "
        "the school assesses).",
    )

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
        if not self.env.su:
            for vals in vals_list:
                vals.pop("school_accepted", None)  # the school decides, by its buttons
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
        if "school_accepted" in vals and not self.env.su:
            raise UserError(
                self.env._(
                    "The school accepts or rejects a showcase case with the buttons of the "
                    "unit's form."
                )
            )
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

    # -- actions -------------------------------------------------------------------------------

    def action_school_accept(self):
        """The school column counts these cases."""
        return self._set_school_accepted(True)

    def action_school_reject(self):
        """The school column does not count these cases."""
        return self._set_school_accepted(False)

    # -- business logic ------------------------------------------------------------------------

    def _set_school_accepted(self, accepted):
        """A school assessor decides on these cases while the school assesses the unit's form
        (the form's school column refusal applies); the school column is rescored."""
        forms = self.unit_eval_id
        for form in forms:
            form._raise_refusal(Column.SCHOOL)
        # checked above: the school's decision, written past the unit's editing rules
        self.sudo().write({"school_accepted": accepted})
        forms._score_columns((Column.SCHOOL,))
        return True
