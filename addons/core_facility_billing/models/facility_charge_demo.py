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
# the managers confirm a line this many days after the use
CONFIRM_AFTER_DAYS = 2


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
        # each line confirmed as the managers do, a couple of days after the use: older lines'
        # dispute windows are closed (last month settles), the latest ones are still open
        today = to_confirm[:1]._today() if to_confirm else fields.Date.today()
        by_deadline = {}
        for line in to_confirm:
            confirmed = min(line.date + timedelta(days=CONFIRM_AFTER_DAYS), today)
            deadline = charging.dispute_deadline(confirmed, line.company_id.facility_dispute_days)
            by_deadline.setdefault(deadline, []).append(line.id)
        for deadline, ids in by_deadline.items():
            self.browse(ids)._write_guarded({"state": C.CONFIRMED, "dispute_deadline": deadline})
        pi = self.env.ref("core_facility.user_xuwei_demo", raise_if_not_found=False)
        disputed = to_confirm.filtered(
            lambda line: line.pi_id == pi and charging.dispute_open(today, line.dispute_deadline)
        )[-1:]
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
