import re

from odoo.tests import HttpCase, tagged

from .service_common import ServiceCase


@tagged("post_install", "-at_install")
class TestPortalService(HttpCase, ServiceCase):
    """An external (portal) user follows his service order's steps on the portal and cannot open
    another's; his PI signs the archive off there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_b.member_ids |= cls.portal_user
        cls.mine = cls.open_order(cls.em_type, cls.group_b, cls.portal_user, cls.manager_spirit)
        cls.to_sample_requested(cls.mine, cls.manager_spirit)
        cls.theirs = cls.open_order(group=cls.group_a)

    def test_tile_counts_his_orders(self):
        self.authenticate("t_portal", "t_portal")
        response = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["facility_service_order_count"]}
        )
        self.assertEqual(response["facility_service_order_count"], 1)

    def test_follows_the_steps_of_his_order(self):
        self.authenticate("t_portal", "t_portal")
        listing = self.url_open("/my/service-orders")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.mine.name, listing.text)
        self.assertNotIn(self.theirs.name, listing.text)
        page = self.url_open(f"/my/service-orders/{self.mine.id}")
        self.assertEqual(page.status_code, 200)
        steps = re.findall(
            r'class="list-group-item d-flex gap-3 o_facility_service_step"', page.text
        )
        self.assertEqual(len(steps), 3)  # registered, reviewed, sample requested
        for name in ("Registered", "Reviewed", "Sample Requested", self.manager_spirit.name):
            self.assertIn(name, page.text)
        self.assertIn("o_facility_deadline", page.text)

    def test_cannot_open_another_groups_order(self):
        self.authenticate("t_portal", "t_portal")
        for url in (
            f"/my/service-orders/{self.theirs.id}",
            "/my/service-orders/999999999",
            "/my/service-orders/abc",
        ):
            with self.subTest(url=url):
                page = self.url_open(url)
                self.assertEqual(page.status_code, 404)
                self.assertNotIn("HPF and freeze substitution", page.text)

    def test_the_pi_signs_off_on_the_portal(self):
        order = self.mine.with_user(self.manager_spirit)
        sample = self.add_sample(order, self.manager_spirit)
        sample.with_user(self.manager_spirit).action_qualify()
        order.action_receive_sample()
        order.write({"imaging_mode": "staff", "booking_ids": [(4, self.booking_for(order).id)]})
        order.action_imaging_done()
        order.results = "<p>2.8 Å map</p>"
        order.action_deliver()
        self.authenticate("t_pi_b", "t_pi_b")
        page = self.url_open(f"/my/service-orders/{self.mine.id}")
        self.assertIn("o_facility_pi_sign", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        signed = self.url_open(
            f"/my/service-orders/{self.mine.id}/sign",
            data={"csrf_token": csrf, "opinion": "结果满意。"},
        )
        self.assertEqual(signed.status_code, 200)
        self.assertIn("o_facility_signed", signed.text)
        self.assertEqual(self.mine.pi_signed_by_id, self.pi_b)
        self.assertEqual(self.mine.pi_opinion, "结果满意。")

    def test_a_member_cannot_sign_for_the_pi(self):
        self.authenticate("t_portal", "t_portal")
        page = self.url_open(f"/my/service-orders/{self.mine.id}")
        self.assertNotIn("o_facility_pi_sign", page.text)
        csrf = re.search(r'csrf_token: "([^"]+)"', page.text).group(1)
        refused = self.url_open(
            f"/my/service-orders/{self.mine.id}/sign",
            data={"csrf_token": csrf, "opinion": "Signed by a member"},
        )
        self.assertEqual(refused.status_code, 422)
        self.assertFalse(self.mine.pi_signed_date)
