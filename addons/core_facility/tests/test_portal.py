from odoo.tests import HttpCase, tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, FacilityCase):
    """The catalogue as a portal user sees it: published instruments only, no asset values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["facility.instrument.category"]
        cls.em = Category.create({"name": "Electron Microscopes"})
        cls.tem = Category.create({"name": "TEM", "parent_id": cls.em.id})
        cls.afm = Category.create({"name": "AFM"})
        cls.other_unit = cls.env["facility.unit"].create(
            {"name": "Force Lab", "unit_type": "platform", "parent_id": cls.institution.id}
        )
        cls.spirit.write(
            {
                "category_id": cls.tem.id,
                "building": "Lab Building",
                "room": "B1-107",
                "required_level_id": cls.primary.id,
                "description": "<p>120 kV routine TEM</p>",
            }
        )
        cls.t20.write({"category_id": cls.tem.id, "required_level_id": cls.intermediate.id})
        cls.force = cls.env["facility.instrument"].create(
            {"name": "Test AFM", "unit_id": cls.other_unit.id, "category_id": cls.afm.id}
        )
        cls.manager_spirit.write({"email": "spirit.manager@example.com", "phone": "+86 10 1234"})
        cls.policy = cls.env["facility.booking.policy"].create(
            {"name": "Routine TEM", "description": "<p>Book at most 4 hours a day.</p>"}
        )
        cls.spirit.booking_policy_id = cls.policy

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

    def test_catalogue_filters_by_category_unit_and_what_i_may_book(self):
        self.grant(self.portal_user, self.spirit, self.primary)
        self.authenticate("t_portal", "t_portal")

        def listed(query):
            response = self.url_open(f"/my/instruments?{query}")
            self.assertEqual(response.status_code, 200)
            return {
                name
                for name in ("Test Spirit", "Test T20", "Test AFM", "Test Titan")
                if name in response.text
            }

        # a parent category finds its children's instruments
        self.assertEqual(listed(f"category={self.em.id}"), {"Test Spirit", "Test T20"})
        self.assertEqual(listed(f"unit={self.other_unit.id}"), {"Test AFM"})
        # Spirit: Primary held; T20 needs Intermediate; the AFM needs nothing
        self.assertEqual(listed("mine=1"), {"Test Spirit", "Test AFM"})
        self.assertEqual(listed(f"mine=1&category={self.tem.id}"), {"Test Spirit"})
        # unknown or malformed filters are ignored, never an error
        self.assertEqual(
            listed("category=abc&unit=99999999999&search=" + "x" * 5000),
            set(),
        )
        self.assertEqual(listed("category=abc&unit=-1"), {"Test Spirit", "Test T20", "Test AFM"})

    def test_counters_of_the_home_tiles(self):
        self.group_b.member_ids |= self.portal_user
        self.grant(self.portal_user, self.spirit, self.primary)
        self.authenticate("t_portal", "t_portal")
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {
                "counters": [
                    "facility_instrument_count",
                    "facility_booking_count",
                    "facility_qualification_count",
                ]
            },
        )
        # as many as the catalogue lists: Titan is not published
        catalogue = self.url_open("/my/instruments").text
        self.assertEqual(
            counters["facility_instrument_count"], catalogue.count('o_facility_instrument"')
        )
        published = self.env["facility.instrument"].search_count(
            [("is_published", "=", True), ("state", "!=", "scrapped")]
        )
        self.assertEqual(counters["facility_instrument_count"], published)
        self.assertEqual(counters["facility_booking_count"], 0)
        self.assertEqual(counters["facility_qualification_count"], 1)

    def test_instrument_page_tells_what_a_user_needs_to_book(self):
        self.group_b.member_ids |= self.portal_user
        self.authenticate("t_portal", "t_portal")
        page = self.url_open(f"/my/instruments/{self.spirit.id}")
        self.assertEqual(page.status_code, 200)
        for text in (
            "120 kV routine TEM",
            "Lab Building",
            "B1-107",
            "spirit.manager@example.com",
            "Primary",
            "Book at most 4 hours a day.",
            f"/my/bookings/new?instrument_id={self.spirit.id}",
        ):
            self.assertIn(text, page.text)
        # asset data stays internal
        self.assertNotIn("3500000", page.text)
        self.assertNotIn("3,500,000", page.text)

    def test_instrument_page_refuses_what_is_not_in_the_catalogue(self):
        self.authenticate("t_portal", "t_portal")
        for path in (
            f"/my/instruments/{self.titan.id}",  # not published
            "/my/instruments/abc",
            "/my/instruments/0",
            "/my/instruments/99999999999",
            "/my/instruments/1e3",
        ):
            with self.subTest(path=path):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 404)
                self.assertIn("No instrument of the catalogue has this number", response.text)

    def test_scrapped_instruments_leave_the_catalogue(self):
        self.force.state = "scrapped"
        self.authenticate("t_portal", "t_portal")
        self.assertNotIn("Test AFM", self.url_open("/my/instruments").text)
        self.assertEqual(self.url_open(f"/my/instruments/{self.force.id}").status_code, 404)

    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.url_open("/my/instruments", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
