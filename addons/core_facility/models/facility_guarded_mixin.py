from odoo import api, models
from odoo.exceptions import UserError

from .access import is_permitted, permit


class FacilityGuardedMixin(models.AbstractModel):
    """Fields that change only through the model's actions (states, measured times, charges).

    A model lists them in ``_guarded_fields``; ``write`` refuses them with a clear message
    unless called through :meth:`_write_guarded` by the model's own transitions (or by superuser
    code such as data files). Over RPC they can never be written: the marker is not serialisable. On
    ``create`` they are dropped: a new record starts in its default state.
    """

    _name = "facility.guarded.mixin"
    _description = "Fields Changed Only Through Actions"

    _guarded_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            for vals in vals_list:
                for name in self._guarded_fields:
                    vals.pop(name, None)
        return super().create(vals_list)

    def write(self, vals):
        guarded = set(vals) & set(self._guarded_fields)
        if guarded and not self._guard_open():
            labels = sorted(self._fields[name]._description_string(self.env) for name in guarded)
            raise UserError(
                self.env._(
                    "%(fields)s of %(model)s change only through its actions (buttons), which "
                    "check who may do it and when; they cannot be written directly.",
                    fields=", ".join(labels),
                    model=self.env["ir.model"].sudo()._get(self._name).name,
                )
            )
        return super().write(vals)

    def _guard_open(self):
        return is_permitted(self)

    def _write_guarded(self, vals):
        """Write ``vals``, guarded fields included: for the model's transitions only. Access
        rules still apply (as the current user)."""
        return self._guard_context().write(vals)

    def _guard_context(self):
        """These records, allowed to write guarded fields: never return them to a caller."""
        return permit(self)
