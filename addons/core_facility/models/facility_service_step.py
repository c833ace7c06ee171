from odoo import api, fields, models
from odoo.exceptions import UserError

from .access import is_permitted
from .facility_service_order import STEP_SELECTION


class FacilityServiceStep(models.Model):
    """One step of a service order, time-stamped with who did it: the archive's "time of each
    step" (seed 000, 第三章 第二条 5). Written only by the order's actions, never changed."""

    _name = "facility.service.step"
    _description = "Service Step"
    _order = "date, id"

    order_id = fields.Many2one(
        "facility.service.order", required=True, index=True, ondelete="cascade", readonly=True
    )
    step = fields.Selection(STEP_SELECTION, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    note = fields.Text(readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_permitted(self):
            raise UserError(
                self.env._("Service steps are recorded by the order's buttons, not created.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not is_permitted(self):
            raise UserError(self.env._("A recorded service step does not change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not is_permitted(self):
            raise UserError(self.env._("A recorded service step stays in the archive."))
