from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    """Each role's daily path in a real browser (static/tests/tours/facility_tours.js), on the
    demo facility: the tours fail when the page they drive breaks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.manager = ref("core_facility.user_huangxiaojun_demo")
        unit = ref("core_facility.unit_cbi_demo")
        Instrument = cls.env["facility.instrument"]
        cls.microscope = Instrument.create(
            {
                "name": "Tour Microscope",
                "unit_id": unit.id,
                "booking_policy_id": ref("core_facility.policy_light").id,
                "manager_ids": [Command.set(cls.manager.ids)],
            }
        )
        confirm_policy = cls.env["facility.booking.policy"].create(
            {"name": "Tour policy", "auto_confirm": False, "internal_priority": False}
        )
        cls.titan = Instrument.create(
            {
                "name": "Tour Titan",
                "unit_id": unit.id,
                "booking_policy_id": confirm_policy.id,
                "manager_ids": [Command.set(cls.manager.ids)],
            }
        )

    def test_director_filters_and_opens_an_instrument(self):
        self.start_tour("/odoo", "core_facility_director", login="sunfei")

    def test_manager_confirms_a_request_from_the_kanban(self):
        member = self.env.ref("core_facility.user_lina_demo")
        start = self.env.cr.now().replace(microsecond=0, tzinfo=None)
        request = (
            self.env["facility.booking"]
            .with_user(member)
            .create(
                {
                    "instrument_id": self.titan.id,
                    "research_group_id": member.facility_group_ids[:1].id,
                    "purpose": "Tour request",
                    "date_start": start.replace(hour=1) + timedelta(days=2),
                    "date_stop": start.replace(hour=4) + timedelta(days=2),
                }
            )
        )
        self.assertEqual(request.state, "requested")
        self.start_tour("/odoo", "core_facility_manager_confirm", login="huangxiaojun")
        self.assertEqual(request.state, "confirmed")

    def test_facility_user_reads_a_refusal_then_books(self):
        self.start_tour("/odoo", "core_facility_user_booking", login="lina")
        booking = self.env["facility.booking"].search([("instrument_id", "=", self.microscope.id)])
        self.assertEqual((booking.state, booking.operator_id.login), ("confirmed", "lina"))

    def test_external_user_books_and_cancels_on_the_portal(self):
        self.start_tour(
            f"/my/bookings/new?instrument_id={self.microscope.id}",
            "core_facility_portal_booking",
            login="zhoujie",
        )
        booking = self.env["facility.booking"].search([("instrument_id", "=", self.microscope.id)])
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.operator_id.login, "zhoujie")

    def test_external_user_books_free_time_from_the_instrument_page(self):
        self.start_tour(
            f"/my/instruments/{self.microscope.id}",
            "core_facility_portal_free_time",
            login="zhoujie",
        )
        booking = self.env["facility.booking"].search([("instrument_id", "=", self.microscope.id)])
        self.assertEqual(booking.state, "confirmed")
        self.assertGreater(booking.date_start, datetime.now())
