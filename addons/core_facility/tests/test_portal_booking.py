import re
from datetime import datetime, timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import FacilityCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


@tagged("post_install", "-at_install")
class TestPortalBooking(HttpCase, FacilityCase):
    """Booking from the portal: times in the instrument's zone, every bad input refused in words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        calendar = cls.env["resource.calendar"].create(
            {"name": "Shanghai hours", "tz": "Asia/Shanghai"}
        )
        Policy = cls.env["facility.booking.policy"]
        cls.routine = Policy.create({"name": "Routine", "calendar_id": calendar.id})
        cls.helios_like = Policy.create(
            {
                "name": "FIB-SEM",
                "calendar_id": calendar.id,
                "preparation_required": True,
                "preparation": "<p>Trim the block and carbon-coat it.</p>",
            }
        )
        cls.t20.booking_policy_id = cls.routine
        cls.spirit.booking_policy_id = cls.helios_like
        cls.group_b.member_ids |= cls.portal_user
        cls.day = (datetime.now(SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%d")

    def _csrf(self, page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _form(self, instrument=None):
        instrument = instrument or self.t20
        page = self.url_open(f"/my/bookings/new?instrument_id={instrument.id}")
        self.assertEqual(page.status_code, 200)
        return page.text

    def _data(self, page, **values):
        data = {
            "csrf_token": self._csrf(page),
            "instrument_id": self.t20.id,
            "research_group_id": self.group_b.id,
            "date_start": f"{self.day}T09:00",
            "date_stop": f"{self.day}T10:00",
            "purpose": "Grid screening",
        }
        data.update(values)
        return {key: value for key, value in data.items() if value is not None}

    def _bookings(self):
        return self.env["facility.booking"].search([("operator_id", "=", self.portal_user.id)])

    def test_portal_user_books_sees_refusals_and_cancels(self):
        self.portal_user.tz = "Asia/Shanghai"
        self.authenticate("t_portal", "t_portal")
        page = self._form()
        self.assertIn("o_facility_booking_form", page)
        response = self.url_open("/my/bookings/new", data=self._data(page))
        self.assertEqual(response.status_code, 200)
        booking = self._bookings()
        self.assertEqual(len(booking), 1)
        # 09:00 in Shanghai is 01:00 UTC
        self.assertEqual(booking.date_start.hour, 1)
        self.assertIn(booking.name, response.text)
        self.assertIn("o_facility_booked", response.text)

        refused = self.url_open(
            "/my/bookings/new",
            data=self._data(page, date_start=f"{self.day}T09:30", date_stop=f"{self.day}T10:30"),
        )
        self.assertEqual(refused.status_code, 422)
        self.assertIn("o_facility_booking_error", refused.text)
        self.assertIn("No double booking", refused.text)
        # the form comes back with what the user typed
        self.assertIn(f'value="{self.day}T09:30"', refused.text)
        self.assertIn('value="Grid screening"', refused.text)

        page = self.url_open("/my/bookings").text
        self.url_open(f"/my/bookings/{booking.id}/cancel", data={"csrf_token": self._csrf(page)})
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "cancelled")
        again = self.url_open(
            f"/my/bookings/{booking.id}/cancel", data={"csrf_token": self._csrf(page)}
        )
        self.assertEqual(again.status_code, 422)
        self.assertIn("o_facility_booking_error", again.text)

    def test_times_are_the_instruments_wall_clock_whatever_the_users_zone(self):
        self.portal_user.tz = "Europe/Paris"
        self.authenticate("t_portal", "t_portal")
        page = self._form()
        self.assertIn("Asia/Shanghai (UTC+08:00)", page)
        self.assertNotIn("Europe/Paris", page)
        response = self.url_open(
            "/my/bookings/new",
            data=self._data(page, date_start=f"{self.day}T10:00", date_stop=f"{self.day}T11:30"),
        )
        self.assertEqual(response.status_code, 200)
        booking = self._bookings()
        # 10:00 in Shanghai is 02:00 UTC (in Paris it would be 08:00 or 09:00 UTC)
        self.assertEqual(booking.date_start, fields.Datetime.to_datetime(f"{self.day} 02:00:00"))
        self.assertEqual(booking.date_stop, fields.Datetime.to_datetime(f"{self.day} 03:30:00"))
        # the list shows the instrument's wall clock and names the zone once
        listing = self.url_open("/my/bookings").text
        self.assertIn("10:00", listing)
        self.assertIn("11:30", listing)
        self.assertEqual(listing.count("Asia/Shanghai"), 1)

    def test_bad_input_is_refused_in_words_never_a_trace(self):
        self.authenticate("t_portal", "t_portal")
        page = self._form()
        cases = [
            ({"date_start": "9999-12-31T09:00", "date_stop": "9999-12-31T10:00"}, "out of range"),
            ({"date_start": "0001-01-01T00:00", "date_stop": "0001-01-01T01:00"}, "out of range"),
            ({"date_start": f"{self.day}T09:00", "date_stop": "9999-12-31T23:59"}, "out of range"),
            ({"date_start": "tomorrow", "date_stop": "2026-02-30T10:00"}, "is not a date and time"),
            ({"date_start": "", "date_stop": None}, "give a date and a time"),
            ({"date_stop": None}, "End: give a date and a time"),
            ({"purpose": None}, "Give the purpose of the session"),
            ({"purpose": "   "}, "Give the purpose of the session"),
            ({"purpose": "x" * 200_000}, "at most 200 characters; it has 200000"),
            (
                {"date_start": f"{self.day}T10:00", "date_stop": f"{self.day}T09:00"},
                "The booking must end after it starts",
            ),
            ({"research_group_id": "abc"}, "Choose one of your research groups"),
            ({"research_group_id": None}, "Choose one of your research groups"),
            ({"research_group_id": "99999999999"}, "Choose one of your research groups"),
            ({"research_group_id": self.group_a.id}, "Choose one of your research groups"),
        ]
        for values, message in cases:
            with self.subTest(values={k: str(v)[:40] for k, v in values.items()}):
                response = self.url_open("/my/bookings/new", data=self._data(page, **values))
                self.assertEqual(response.status_code, 400)
                self.assertIn("o_facility_booking_error", response.text)
                self.assertIn(message, response.text)
                self.assertIn("o_facility_booking_form", response.text)
        self.assertFalse(self._bookings())

    def test_several_problems_are_told_at_once(self):
        self.authenticate("t_portal", "t_portal")
        page = self._form()
        response = self.url_open(
            "/my/bookings/new",
            data=self._data(page, purpose="", date_start="soon", research_group_id="x"),
        )
        self.assertEqual(response.status_code, 400)
        for message in ("research groups", "purpose", "is not a date and time"):
            self.assertIn(message, response.text)

    def test_unknown_instruments_are_not_found(self):
        self.authenticate("t_portal", "t_portal")
        page = self._form()
        for instrument_id in ("abc", "99999999999", "0", "-3", self.titan.id):
            with self.subTest(instrument_id=instrument_id):
                response = self.url_open(
                    "/my/bookings/new", data=self._data(page, instrument_id=instrument_id)
                )
                self.assertEqual(response.status_code, 404)
                self.assertIn("cannot be booked here", response.text)
                shown = self.url_open(f"/my/bookings/new?instrument_id={instrument_id}")
                self.assertEqual(shown.status_code, 404)
        without = self.url_open("/my/bookings/new", data=self._data(page, instrument_id=None))
        self.assertEqual(without.status_code, 200)
        self.assertIn("o_facility_booking_chooser", without.text)
        self.assertFalse(self._bookings())

    def test_unknown_and_others_bookings_cannot_be_cancelled(self):
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
        self.assertNotIn(other.name, self.url_open("/my/bookings").text)
        page = self._form()
        for booking_id in (other.id, "abc", "99999999999", 0):
            with self.subTest(booking_id=booking_id):
                response = self.url_open(
                    f"/my/bookings/{booking_id}/cancel", data={"csrf_token": self._csrf(page)}
                )
                self.assertEqual(response.status_code, 404)
                self.assertIn("You have no booking with this number", response.text)
        other.invalidate_recordset()
        self.assertEqual(other.state, "confirmed")  # untouched
        # a forged "booked" parameter shows nothing of anyone else's booking
        self.assertNotIn(other.name, self.url_open(f"/my/bookings?booked={other.id}").text)

    def test_form_asks_only_what_the_policy_needs(self):
        self.authenticate("t_portal", "t_portal")
        routine = self._form(self.t20)
        self.assertNotIn("o_facility_preparation", routine)
        self.assertNotIn("o_facility_long_collection", routine)
        prepared = self._form(self.spirit)
        self.assertIn("o_facility_preparation", prepared)
        self.assertIn("Trim the block and carbon-coat it.", prepared)
        data = self._data(prepared, instrument_id=self.spirit.id)
        refused = self.url_open("/my/bookings/new", data=data)
        self.assertEqual(refused.status_code, 422)
        self.assertIn("Preparation rule", refused.text)
        data["preparation_done"] = "1"
        self.assertEqual(self.url_open("/my/bookings/new", data=data).status_code, 200)
        self.assertTrue(self._bookings().preparation_done)

    def test_portal_user_sees_own_groups_allocated_time(self):
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
