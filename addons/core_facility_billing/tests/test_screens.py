"""Every window of billing opens in the browser, in Chinese, for a user who may open it, with no
client error (a modifier the list or form cannot evaluate, a field missing from a view...)."""

from odoo.tests import HttpCase, new_test_user, tagged

WAIT_FOR_VIEW = """
    let tries = 0;
    const timer = setInterval(() => {
        if (document.querySelector(".o_view_controller .o_content, .o_view_nocontent")) {
            clearInterval(timer);
            console.log("test successful");
        } else if (++tries > 150) {
            clearInterval(timer);
            console.error("the view did not open");
        }
    }, 100);
"""


@tagged("post_install", "-at_install")
class TestBillingScreens(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.user = new_test_user(
            cls.env,
            login="t_billing_screens",
            groups="core_facility.group_facility_manager,core_facility_billing.group_billing_admin",
            lang="zh_CN",
            tz="Asia/Shanghai",
        )

    def test_every_billing_window_opens(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "core_facility_billing"), ("model", "=", "ir.actions.act_window")]
        )
        actions = self.env["ir.actions.act_window"].browse(data.mapped("res_id"))
        actions = actions.filtered(
            lambda a: (
                a.target != "new"
                and not a.binding_model_id
                and not self.env[a.res_model]._transient
            )
        )
        self.assertGreaterEqual(len(actions), 10)
        for action in actions:
            with self.subTest(action=action.xml_id):
                self.browser_js(
                    f"/odoo/action-{action.xml_id}",
                    WAIT_FOR_VIEW,
                    login="t_billing_screens",
                    timeout=60,
                )

    def test_billing_menus_open_for_each_role(self):
        """The windows under Core Facility → Billing, as a member, a PI and an instrument
        manager see them (each only the menus of their groups)."""
        root = self.env.ref("core_facility_billing.menu_facility_billing_root")
        roles = {
            "t_screens_member": "core_facility.group_facility_user",
            "t_screens_pi": "core_facility.group_facility_pi",
            "t_screens_im": "core_facility.group_facility_instrument_manager",
        }
        for login, groups in roles.items():
            user = new_test_user(
                self.env, login=login, groups=groups, lang="zh_CN", tz="Asia/Shanghai"
            )
            menus = (
                self.env["ir.ui.menu"]
                .with_user(user)
                .search([("id", "child_of", root.id), ("action", "!=", False)])
            )
            self.assertTrue(menus, login)
            for menu in menus:
                with self.subTest(role=login, menu=menu.complete_name):
                    self.browser_js(
                        f"/odoo/action-{menu.action.id}", WAIT_FOR_VIEW, login=login, timeout=60
                    )
