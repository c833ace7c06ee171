from datetime import datetime

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class FacilityPortal(CustomerPortal):
    """Portal pages: the public instrument catalogue and the user's own qualifications."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "facility_instrument_count" in counters:
            instruments = request.env["facility.instrument"]
            values["facility_instrument_count"] = (
                instruments.search_count([]) if instruments.has_access("read") else 0
            )
        if "facility_booking_count" in counters:
            bookings = request.env["facility.booking"]
            values["facility_booking_count"] = (
                bookings.search_count(self._booking_domain()) if bookings.has_access("read") else 0
            )
        if "facility_qualification_count" in counters:
            qualifications = request.env["facility.qualification"]
            values["facility_qualification_count"] = (
                qualifications.search_count([("user_id", "=", request.env.user.id)])
                if qualifications.has_access("read")
                else 0
            )
        return values

    @http.route(["/my/instruments"], type="http", auth="user", website=True)
    def portal_my_instruments(self, search=None, **kwargs):
        domain = [("state", "!=", "scrapped")]
        if search:
            domain += ["|", ("name", "ilike", search), ("model_name", "ilike", search)]
        instruments = request.env["facility.instrument"].search(domain)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instruments": instruments,
                "page_name": "facility_instrument",
                "default_url": "/my/instruments",
                "search": search,
            }
        )
        return request.render("core_facility.portal_my_instruments", values)

    @http.route(["/my/qualifications"], type="http", auth="user", website=True)
    def portal_my_qualifications(self, **kwargs):
        qualifications = request.env["facility.qualification"].search(
            [("user_id", "=", request.env.user.id)]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "qualifications": qualifications,
                "page_name": "facility_qualification",
            }
        )
        return request.render("core_facility.portal_my_qualifications", values)

    def _booking_domain(self):
        user = request.env.user
        return ["|", ("operator_id", "=", user.id), ("booked_by_id", "=", user.id)]

    @http.route(["/my/bookings"], type="http", auth="user", website=True)
    def portal_my_bookings(self, error=None, message=None, **kwargs):
        bookings = request.env["facility.booking"].search(self._booking_domain())
        values = self._prepare_portal_layout_values()
        user = request.env.user
        values.update(
            {
                "bookings": bookings,
                "instruments": request.env["facility.instrument"].search(
                    [("booking_mode", "=", "booking"), ("state", "=", "in_service")]
                ),
                "groups": user.facility_group_ids,
                "allocations": request.env["facility.booking.allocation"].search(
                    [
                        ("research_group_id", "in", user.facility_group_ids.ids),
                        ("month", ">=", fields.Date.context_today(user).replace(day=1)),
                    ],
                    order="month, instrument_id",
                ),
                "page_name": "facility_booking",
                "error": error,
                "message": message,
                "tz": user.tz or "Asia/Shanghai",
            }
        )
        return request.render("core_facility.portal_my_bookings", values)

    @http.route(["/my/bookings/new"], type="http", auth="user", methods=["POST"], website=True)
    def portal_booking_new(
        self, instrument_id, research_group_id, date_start, date_stop, purpose, **kwargs
    ):
        """Book from the portal, in the user's time zone; refusals come back as messages."""
        tz = pytz.timezone(request.env.user.tz or "Asia/Shanghai")
        try:
            start, stop = (
                tz.localize(datetime.strptime(value, "%Y-%m-%dT%H:%M"))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
                for value in (date_start, date_stop)
            )
            with request.env.cr.savepoint():
                booking = request.env["facility.booking"].create(
                    {
                        "instrument_id": int(instrument_id),
                        "research_group_id": int(research_group_id),
                        "operator_id": request.env.user.id,
                        "purpose": purpose,
                        "date_start": start,
                        "date_stop": stop,
                        "preparation_done": bool(kwargs.get("preparation_done")),
                    }
                )
        except ValueError:
            return request.redirect(
                "/my/bookings?error=" + request.env._("Give the start and end as date and time.")
            )
        except (UserError, ValidationError, AccessError) as exc:
            return self.portal_my_bookings(error=str(exc))
        return request.redirect(f"/my/bookings?message={booking.name}")

    @http.route(
        ["/my/bookings/<int:booking_id>/cancel"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_booking_cancel(self, booking_id, **kwargs):
        booking = request.env["facility.booking"].browse(booking_id)
        try:
            booking.check_access("write")
            with request.env.cr.savepoint():
                booking.action_cancel()
        except (AccessError, MissingError):
            return request.not_found()
        except (UserError, ValidationError) as exc:
            return self.portal_my_bookings(error=str(exc))
        return request.redirect("/my/bookings")
