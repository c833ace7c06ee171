from odoo import api, fields, models

from ..rules.codes import SanctionKind


class FacilitySanction(models.Model):
    """A measure taken on a research group or one of its users (附件4, 附件3): an interview, a
    notice, retraining, a restriction or suspension with its period, a refusal, a blacklisting."""

    _name = "facility.sanction"
    _description = "Sanction"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"

    kind = fields.Selection(
        [
            (SanctionKind.INTERVIEW, "Interview"),
            (SanctionKind.PI_NOTICE, "Notice to the PI"),
            (SanctionKind.RETRAINING, "Retraining"),
            (SanctionKind.GROUP_RESTRICTION, "Booking Restricted"),
            (SanctionKind.USER_SUSPENSION, "User Suspended"),
            (SanctionKind.ALLOWANCE, "Smaller Booking Allowance"),
            (SanctionKind.USE_REFUSAL, "Instrument Use Refused"),
            (SanctionKind.SERVICE_REFUSAL, "Service Applications Refused"),
            (SanctionKind.BLACKLIST, "Blacklisted"),
        ],
        required=True,
    )
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict"
    )
    user_id = fields.Many2one("res.users", index=True)
    unit_id = fields.Many2one("facility.unit", index=True)
    violation_ids = fields.Many2many("facility.violation", string="Violations")
    date_from = fields.Datetime(string="From")
    date_to = fields.Datetime(string="Until")
    reason = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.model
    def _apply_ladder(self, violations):
        """Climb the ladders of the groups and users of ``violations`` (each step once)."""
        return self.browse()

    @api.model
    def _impose(
        self,
        kind,
        research_group,
        date_from,
        date_to=None,
        user=None,
        unit=None,
        reason=None,
        violations=None,
    ):
        """Impose a sanction decided by staff or a rule (publications, the ladders): the one way
        a sanction is created. Returns it."""
        return self.sudo().create(
            {
                "kind": kind,
                "research_group_id": research_group.id,
                "user_id": user.id if user else False,
                "unit_id": unit.id if unit else False,
                "date_from": date_from,
                "date_to": date_to,
                "reason": reason,
                "violation_ids": [fields.Command.set(violations.ids)] if violations else [],
            }
        )

    @api.model
    def _active_for(self, research_group, user, moment, kinds=None):
        """The sanctions in force at ``moment`` on the group (its unit) or the user that the
        booking and service rules enforce."""
        return self.browse()
