import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, FacilityCase):
    def test_portal_pages_show_catalogue_and_own_qualifications(self):
        self.grant(self.portal_user, self.spirit, self.primary)
        self.grant(self.student_b1, self.t20, self.primary)
        self.authenticate("t_portal", "t_portal")

        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn("Instrument Catalogue", home.text)

        catalogue = self.url_open("/my/instruments")
        self.assertEqual(catalogue.status_code, 200)
        self.assertIn("Test Spirit", catalogue.text)
        self.assertIn("Test T20", catalogue.text)
        self.assertNotIn("Test Titan", catalogue.text)

        found = self.url_open("/my/instruments?search=T20")
        self.assertIn("Test T20", found.text)
        self.assertNotIn("Test Spirit", found.text)

        mine = self.url_open("/my/qualifications")
        self.assertEqual(mine.status_code, 200)
        self.assertEqual(mine.text.count("o_facility_qualification"), 1)
        self.assertIn("Test Spirit", mine.text)

    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.url_open("/my/instruments", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])


@tagged("post_install", "-at_install")
class TestPortalBooking(HttpCase, FacilityCase):
    def _csrf(self, page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_portal_user_books_sees_refusals_and_cancels(self):
        self.group_b.member_ids |= self.portal_user
        self.portal_user.tz = "Asia/Shanghai"
        self.authenticate("t_portal", "t_portal")
        page = self.url_open("/my/bookings").text
        self.assertIn("o_facility_booking_form", page)
        day = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d")
        data = {
            "csrf_token": self._csrf(page),
            "instrument_id": self.t20.id,
            "research_group_id": self.group_b.id,
            "date_start": f"{day}T09:00",
            "date_stop": f"{day}T10:00",
            "purpose": "Grid screening",
        }
        response = self.url_open("/my/bookings/new", data=data)
        self.assertEqual(response.status_code, 200)
        booking = self.env["facility.booking"].search([("operator_id", "=", self.portal_user.id)])
        self.assertEqual(len(booking), 1)
        # 09:00 in Shanghai is 01:00 UTC
        self.assertEqual(booking.date_start.hour, 1)
        self.assertIn(booking.name, response.text)

        data["date_start"], data["date_stop"] = f"{day}T09:30", f"{day}T10:30"
        refused = self.url_open("/my/bookings/new", data=data)
        self.assertIn("o_facility_booking_error", refused.text)
        self.assertIn("No double booking", refused.text)

        page = self.url_open("/my/bookings").text
        self.url_open(f"/my/bookings/{booking.id}/cancel", data={"csrf_token": self._csrf(page)})
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "cancelled")

    def test_portal_user_sees_own_groups_allocated_time(self):
        self.group_b.member_ids |= self.portal_user
        # next month: its hours cannot have lapsed yet
        month = fields.Date.today().replace(day=28) + timedelta(days=4)
        Allocation = self.env["facility.booking.allocation"]
        Allocation.create(
            [
                {
                    "instrument_id": self.titan.id,
                    "research_group_id": group.id,
                    "month": month,
                    "hours": hours,
                    "origin": origin,
                }
                for group, hours, origin in (
                    (self.group_b, 36, "APP-B"),
                    (self.group_a, 48, "APP-A"),
                )
            ]
        )
        self.authenticate("t_portal", "t_portal")
        page = self.url_open("/my/bookings").text
        self.assertIn("o_facility_allocation", page)
        self.assertIn("<span>36.0</span>", page)
        self.assertNotIn("<span>48.0</span>", page)

    def test_portal_user_cannot_cancel_others_bookings(self):
        self.group_b.member_ids |= self.portal_user
        other = self.env["facility.booking"].create(
            {
                "instrument_id": self.t20.id,
                "operator_id": self.student_b1.id,
                "research_group_id": self.group_b.id,
                "purpose": "Not yours",
                "date_start": datetime.now() + timedelta(days=3),
                "date_stop": datetime.now() + timedelta(days=3, hours=1),
            }
        )
        self.authenticate("t_portal", "t_portal")
        page = self.url_open("/my/bookings").text
        self.assertNotIn(other.name, page)
        response = self.url_open(
            f"/my/bookings/{other.id}/cancel", data={"csrf_token": self._csrf(page)}
        )
        self.assertEqual(response.status_code, 404)
        other.invalidate_recordset()
        self.assertEqual(other.state, "confirmed")  # untouched
