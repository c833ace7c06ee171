from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..rules.codes import AgreementState
from .access import INSTRUMENT_MANAGER

# Once signed, the document and its dates are the record: reset to draft to change them.
SIGNED_LOCKED = ("kind", "document", "document_name", "date_signed", "date_expiry")


class FacilityCollaborationAgreement(models.Model):
    """An agreement of a collaboration (合作协议) or its non-disclosure agreement (保密协议),
    attached with its state and dates (附件5: 签订正式的合作协议，以及根据需要签订相应的保密协议).

    Drafted, then signed (the signed document attached), expired once past its expiry date (a
    scheduled job records it; the collaboration's check judges by the date even before)."""

    _name = "facility.collaboration.agreement"
    _description = "Collaboration Agreement"
    _inherit = ["facility.guarded.mixin", "mail.thread"]
    _order = "collaboration_id, kind, id"
    _guarded_fields = ("state",)

    collaboration_id = fields.Many2one(
        "facility.collaboration", required=True, index=True, ondelete="cascade"
    )
    research_group_id = fields.Many2one(
        related="collaboration_id.research_group_id", store=True, index=True
    )
    name = fields.Char(string="Title", required=True, tracking=True)
    kind = fields.Selection(
        [("agreement", "Collaboration Agreement"), ("nda", "Non-disclosure Agreement")],
        required=True,
        default="agreement",
        tracking=True,
    )
    state = fields.Selection(
        [
            (AgreementState.DRAFTED, "Drafted"),
            (AgreementState.SIGNED, "Signed"),
            (AgreementState.EXPIRED, "Expired"),
        ],
        required=True,
        default=AgreementState.DRAFTED,
        tracking=True,
        copy=False,
        index=True,
    )
    required = fields.Boolean(
        default=True,
        help="Bookings and service orders for the collaboration need this agreement signed.",
    )
    date_signed = fields.Date(string="Signed On", tracking=True, copy=False)
    date_expiry = fields.Date(
        string="Expires On", tracking=True, help="Empty: in force until the collaboration ends."
    )
    document = fields.Binary(attachment=True, copy=False, help="The agreement as signed.")
    document_name = fields.Char(copy=False)
    note = fields.Text()

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_expiry IS NULL OR date_signed IS NULL OR date_expiry >= date_signed)",
            "An agreement expires after it is signed.",
        ),
    ]

    @api.depends("name", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for agreement in self:
            agreement.display_name = (
                f"{kinds.get(agreement.kind, '')} “{agreement.name}”"
                if agreement.name
                else kinds.get(agreement.kind, "")
            )

    @api.constrains("date_signed")
    def _check_date_signed(self):
        today = fields.Date.context_today(self)
        for agreement in self:
            if agreement.date_signed and agreement.date_signed > today:
                raise ValidationError(
                    self.env._(
                        "%(agreement)s cannot be signed in the future.",
                        agreement=agreement.display_name,
                    )
                )

    def write(self, vals):
        locked = set(vals) & set(SIGNED_LOCKED)
        if locked and not self._guard_open():
            for agreement in self:
                if agreement.state == AgreementState.SIGNED:
                    raise UserError(
                        self.env._(
                            "%(agreement)s is signed: reset it to draft to change its document "
                            "or dates.",
                            agreement=agreement.display_name,
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafted(self):
        if any(a.state != AgreementState.DRAFTED for a in self):
            raise UserError(self.env._("Signed and expired agreements are records."))

    # -- actions --------------------------------------------------------------------------------

    def action_sign(self):
        """Record the agreement as signed: the signed document is attached; the signing date
        defaults to today."""
        self._check_staff()
        today = fields.Date.context_today(self)
        for agreement in self:
            if agreement.state != AgreementState.DRAFTED:
                raise UserError(
                    self.env._("%(agreement)s is not a draft.", agreement=agreement.display_name)
                )
            if not agreement.document:
                raise UserError(
                    self.env._(
                        "Attach the signed document of %(agreement)s first.",
                        agreement=agreement.display_name,
                    )
                )
            signed = agreement.date_signed or today
            if agreement.date_expiry and agreement.date_expiry < today:
                raise UserError(
                    self.env._(
                        "%(agreement)s expired on %(date)s: give its new expiry date.",
                        agreement=agreement.display_name,
                        date=format_date(self.env, agreement.date_expiry),
                    )
                )
            agreement._write_guarded({"state": AgreementState.SIGNED, "date_signed": signed})

    def action_reset_draft(self):
        """Back to draft, to renew or correct it (the collaboration's check refuses it then)."""
        self._check_staff()
        for agreement in self:
            agreement._write_guarded({"state": AgreementState.DRAFTED})

    # -- business methods -----------------------------------------------------------------------

    def _expired(self, today):
        self.ensure_one()
        return bool(self.date_expiry and self.date_expiry < today)

    @api.model
    def _cron_expire(self):
        """Record as expired the signed agreements past their expiry date."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", AgreementState.SIGNED), ("date_expiry", "<", today)])
        for agreement in expired:
            agreement._write_guarded({"state": AgreementState.EXPIRED})
            agreement.collaboration_id.message_post(
                body=self.env._(
                    "%(agreement)s expired on %(date)s.",
                    agreement=agreement.display_name,
                    date=format_date(self.env, agreement.date_expiry),
                )
            )
        return expired

    def _check_staff(self):
        if not (self.env.su or self.env.user.has_group(INSTRUMENT_MANAGER)):
            raise UserError(
                self.env._("Agreements are recorded by the facility's managers and staff.")
            )
