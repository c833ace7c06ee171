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
