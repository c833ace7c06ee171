from odoo import http
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
