import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import ServiceStep

GUARDED_FIELDS = ("state", "judged_date", "judged_by_id", "step_id")


class FacilityServiceSample(models.Model):
    """A sample sent for a service order: its reference (printed on a label with a QR code),
    when it arrived and whether it is qualified (with the reason when it is not)."""

    _name = "facility.service.sample"
    _description = "Service Sample"
    _inherit = ["facility.guarded.mixin", "mail.thread"]
    _order = "id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        "facility.service.order", required=True, index=True, ondelete="cascade"
    )
    research_group_id = fields.Many2one(related="order_id.research_group_id", store=True)
    description = fields.Text(required=True)
    received_date = fields.Datetime(
        string="Received On", help="When the sample arrived (now when judged, if left empty)."
    )
    state = fields.Selection(
        [("pending", "To Judge"), ("qualified", "Qualified"), ("refused", "Not Qualified")],
        default="pending",
        required=True,
        tracking=True,
        copy=False,
    )
    refuse_reason = fields.Text(string="Why Not Qualified", tracking=True)
    judged_date = fields.Datetime(string="Judged On", readonly=True, copy=False)
    judged_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    step_id = fields.Many2one(
        "facility.service.step", string="Receipt Step", readonly=True, copy=False
    )
    qr_code = fields.Char(string="QR Code", compute="_compute_qr_code")
    company_id = fields.Many2one(related="order_id.company_id", store=True)

    def _compute_qr_code(self):
        """The reference as a QR code (an image data URI for labels and forms)."""
        report = self.env["ir.actions.report"]
        for sample in self:
            if not sample.name or sample.name == "/":
                sample.qr_code = False
                continue
            png = report.barcode("QR", sample.name, width=240, height=240, barLevel="M")
            sample.qr_code = "data:image/png;base64," + base64.b64encode(png).decode()

    @api.constrains("received_date", "order_id")
    def _check_received_date(self):
        """A sample arrives in the past, and not before the order asked for it: the date starts
        the preparation's commitment and cannot push it back."""
        now = fields.Datetime.now()
        for sample in self:
            received = sample.received_date
            if not received:
                continue
            if received > now:
                raise ValidationError(
                    self.env._(
                        "%(sample)s: a sample is recorded once it arrived; %(received)s is in "
                        "the future.",
                        sample=sample.name,
                        received=self._local_minute(received),
                    )
                )
            requested = (
                sample.order_id.sudo()
                .step_ids.filtered(lambda s: s.step == ServiceStep.SAMPLE_REQUESTED)
                .mapped("date")
            )
            if requested and received < max(requested):
                raise ValidationError(
                    self.env._(
                        "%(sample)s: received on %(received)s, before %(order)s asked for its "
                        "sample (%(requested)s).",
                        sample=sample.name,
                        order=sample.order_id.name,
                        received=self._local_minute(received),
                        requested=self._local_minute(max(requested)),
                    )
                )

    def _local_minute(self, moment):
        return fields.Datetime.context_timestamp(self, moment).strftime("%Y-%m-%d %H:%M")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(self._name) or "/"
        samples = super().create(vals_list)
        if not self.env.su:
            samples._check_staff()
        return samples

    def write(self, vals):
        if not self._guard_open():
            self._check_staff()
            judged = self.filtered(lambda s: s.state != "pending")
            if judged and set(vals) & {"order_id", "received_date", "refuse_reason"}:
                raise UserError(
                    self.env._(
                        "%(samples)s were judged: when they arrived, why and for which order no "
                        "longer change.",
                        samples=", ".join(judged.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_pending(self):
        judged = self.filtered(lambda s: s.state != "pending")
        if judged:
            raise UserError(
                self.env._(
                    "%(samples)s were judged and stay in the archive.",
                    samples=", ".join(judged.mapped("name")),
                )
            )

    def _check_staff(self):
        for sample in self:
            if not sample.order_id._is_staff():
                raise UserError(
                    self.env._(
                        "Samples of %(order)s are recorded and judged by the staff of the service.",
                        order=sample.order_id.name,
                    )
                )

    def action_qualify(self):
        self._judge("qualified")

    def action_refuse(self):
        for sample in self:
            if not (sample.refuse_reason or "").strip():
                raise UserError(
                    self.env._(
                        "%(sample)s: write why the sample is not qualified first.",
                        sample=sample.name,
                    )
                )
        self._judge("refused")

    def _judge(self, state):
        """Qualified or not, by the service's staff, while the order waits for its sample."""
        self._check_staff()
        now = fields.Datetime.now()
        for sample in self:
            order = sample.order_id
            if sample.state != "pending" or order.state != ServiceStep.SAMPLE_REQUESTED:
                raise UserError(
                    self.env._(
                        "%(sample)s: a sample is judged once, while %(order)s waits for its "
                        "sample.",
                        sample=sample.name,
                        order=order.name,
                    )
                )
            sample._write_guarded(
                {
                    "state": state,
                    "received_date": sample.received_date or now,
                    "judged_date": now,
                    "judged_by_id": self.env.user.id,
                }
            )

    def action_print_label(self):
        return self.env.ref(
            "core_facility.action_report_facility_service_sample_label"
        ).report_action(self)
