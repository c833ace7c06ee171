from datetime import datetime, time, timedelta

from odoo import api, fields, models

from ..rules.codes import BookingState
from .utils import to_local, to_utc


class FacilityOvertimeRequest(models.Model):
    _inherit = "facility.overtime.request"

    @api.model
    def _demo_create_requests(self):
        """Demo data only: staff overtime help on the next two confirmed Titan bookings, the
        evening of their first day: one approved by the director (on 黄小俊's calendar), one
        waiting for him."""
        env = self.env
        titan = env.ref("core_facility.instrument_titan_demo", raise_if_not_found=False)
        staff = env.ref("core_facility.user_huangxiaojun_demo", raise_if_not_found=False)
        director = env.ref("core_facility.user_sunfei_demo", raise_if_not_found=False)
        if not (titan and staff and director):
            return
        if self.sudo().search_count([("instrument_id", "=", titan.id)], limit=1):
            return  # loaded already
        company = env.company.sudo()
        if not company.facility_director_id:
            company.facility_director_id = director
        tz = titan._booking_tz()
        candidates = (
            env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", titan.id),
                    ("state", "=", BookingState.CONFIRMED),
                    ("date_start", ">", fields.Datetime.now() + timedelta(days=1)),
                ],
                order="date_start",
                limit=30,
            )
        )
        reasons = [
            "夜间单颗粒数据采集：凌晨需补加液氮并检查自动进样器，申请黄小俊老师加班协助。",
            "首次上机的冷冻电子断层数据采集，晚间需工作人员协助调整低剂量成像条件。",
        ]
        index = 0
        for booking in candidates:
            # the evening of the booking's first day, 18:00-22:00, when the booking covers it
            day = to_local(booking.date_start, tz).date()
            evening = to_utc(datetime.combine(day, time(18)), tz)
            start = max(booking.date_start, evening)
            stop = min(booking.date_stop, evening + timedelta(hours=4))
            if stop - start < timedelta(hours=2):
                continue
            request = self.sudo().create(
                {
                    "booking_id": booking.id,
                    "staff_id": staff.id,
                    "date_start": start,
                    "date_stop": stop,
                    "reason": reasons[index],
                    "requester_id": booking.operator_id.id,
                }
            )
            if index == 0:
                request.with_user(director).action_approve()
            index += 1
            if index == len(reasons):
                break
