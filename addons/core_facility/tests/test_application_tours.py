from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestApplicationTours(HttpCase):
    """An external user's application from the portal, in a real browser
    (static/tests/tours/application_tours.js), on a facility of its own (no demo data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pi = new_test_user(
            cls.env, login="tour_app_pi", groups="core_facility.group_facility_pi"
        )
        cls.applicant = new_test_user(
            cls.env, login="tour_app_portal", groups="base.group_portal", tz="Asia/Shanghai"
        )
        cls.group = cls.env["facility.research.group"].create(
            {
                "name": "Tour External Group",
                "pi_id": cls.pi.id,
                "category": "external",
                "member_ids": [(4, cls.applicant.id)],
            }
        )
        cls.service_type = cls.env["facility.service.type"].create(
            {"name": "Tour Sample Preparation", "flow": "prep", "commitment_days": 21}
        )

    def test_external_user_applies_for_a_service_on_the_portal(self):
        self.start_tour("/my", "core_facility_portal_application", login="tour_app_portal")
        application = self.env["facility.application"].search(
            [("applicant_id", "=", self.applicant.id)]
        )
        self.assertRecordValues(
            application,
            [
                {
                    "kind": "service",
                    "state": "submitted",
                    "title": "Tour retina sections",
                    "research_group_id": self.group.id,
                    "service_type_id": self.service_type.id,
                }
            ],
        )
