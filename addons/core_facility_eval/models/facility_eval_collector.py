from odoo import api, models


class FacilityEvalCollector(models.AbstractModel):
    """Computes an evaluation's figures from what the system recorded (bookings and their
    measured time, billing charges, trainings, outcomes, maintenance), applies the exclusions
    and the proration of 附件3, and opens the records behind a figure. The campaign calls it;
    the early warning and the benchmark call it too."""

    _name = "facility.eval.collector"
    _description = "Evaluation Figures"

    @api.model
    def in_scope(self, campaign):
        """The instruments ``campaign`` evaluates (its company, original value ≥ its scope)."""
        return self.env["facility.instrument"].search(
            [
                ("company_id", "=", campaign.company_id.id),
                ("original_value", ">=", campaign.scope_min_value),
            ]
        )

    @api.model
    def eval_unit(self, unit):
        """The 二级单位 of ``unit``: itself or its nearest ancestor of type department."""
        node = unit
        while node:
            if node.unit_type == "department":
                return node
            node = node.parent_id
        return unit

    @api.model
    def collect(self, campaign, instruments):
        """``{instrument_id: {sheet field: value}}``: status, status_reason and every figure
        field of ``facility.eval.sheet`` (see that model), for ``campaign``'s year."""
        raise NotImplementedError

    @api.model
    def figure_action(self, sheet, figure):
        """The window action listing the records behind ``figure`` (a codes.Figure or a sheet
        field name) of ``sheet``."""
        raise NotImplementedError
