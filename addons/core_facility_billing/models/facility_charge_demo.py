import logging
from datetime import timedelta

from odoo import api, fields, models

from ..rules import charging
from ..rules.codes import ChargeState as C

_logger = logging.getLogger(__name__)

# the demo charges the bookings of the last two months
DEMO_DAYS = 62
# lines of the last days stay draft: the instrument managers' "to confirm"
DRAFT_DAYS = 4


class FacilityChargeDemo(models.Model):
    _inherit = "facility.charge"

    @api.model
    def _demo_generate_charges(self):
        """Demo: charge the demo bookings of the last two months whose charge is final (done,
        no-show, late-cancelled), as their finalisation would have; confirm the lines older
        than a few days (测试计费) and let 徐伟 dispute one line of his group."""
        now = fields.Datetime.now()
        bookings = (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("date_start", ">=", now - timedelta(days=DEMO_DAYS)),
                    ("chargeable_hours", ">", 0),
                    ("state", "in", ("done", "no_show", "cancelled")),
                ]
            )
        )
        bookings._facility_generate_charges()
        orders = self.env["facility.service.order"].sudo().search([("state", "=", "closed")])
        orders._facility_generate_charges()
        lines = self.sudo().search(
            [("booking_id", "in", bookings.ids), ("state", "=", C.DRAFT)], order="date, id"
        )
        to_confirm = lines.filtered(
            lambda line: line.date < (now - timedelta(days=DRAFT_DAYS)).date()
        )
        for company, group in to_confirm.grouped("company_id").items():
            deadline = charging.dispute_deadline(group[:1]._today(), company.facility_dispute_days)
            group._write_guarded({"state": C.CONFIRMED, "dispute_deadline": deadline})
        pi = self.env.ref("core_facility.user_xuwei_demo", raise_if_not_found=False)
        disputed = to_confirm.filtered(lambda line: line.pi_id == pi)[-1:]
        if disputed:
            disputed.with_user(pi)._dispute(
                "这次是仪器故障导致提前结束，实际只用了一半时间，请核减。"
                " (The session ended early because the instrument failed: we used half the time.)"
            )
        _logger.info(
            "Demo charges: %s lines, %s confirmed, %s disputed",
            len(lines),
            len(to_confirm),
            len(disputed),
        )
        return True
