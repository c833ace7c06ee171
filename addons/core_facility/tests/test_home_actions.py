from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestHomeActions(TransactionCase):
    """Each demo role lands on its daily screen, and may open it."""

    def test_each_role_lands_on_its_daily_screen(self):
        ref = self.env.ref
        expected = {
            "user_sunfei_demo": "action_facility_instrument",  # the director: instruments
            "user_huangxiaojun_demo": "action_facility_booking_to_confirm",  # Titan's manager
            "user_lina_demo": "action_facility_booking",  # a facility user: the calendar
        }
        for user_xmlid, action_xmlid in expected.items():
            user = ref(f"core_facility.{user_xmlid}")
            with self.subTest(user=user.login):
                self.assertEqual(user.action_id.id, ref(f"core_facility.{action_xmlid}").id)
        internal = self.env["res.users"].search(
            [("login", "in", ["sunfei", "huangxiaojun", "lina", "wangming", "liuyang"])]
        )
        for user in internal:
            with self.subTest(user=user.login):
                self.assertTrue(user.action_id, f"{user.login} has no home screen")
                action = self.env[user.action_id.type].browse(user.action_id.id)
                model = self.env[action.res_model].with_user(user)
                model.check_access("read")
                model.search([], limit=1)
                self.assertTrue(action.get_external_id()[action.id].startswith("core_facility."))
