from odoo.tests import tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestViews(FacilityCase):
    def test_every_menu_opens_for_every_role(self):
        root = self.env.ref("core_facility.menu_core_facility_root")
        roles = {
            "user": self.student_a1,
            "pi": self.pi_a,
            "instrument manager": self.manager_spirit,
            "finance": self.finance,
            "facility manager": self.director,
        }
        for role, user in roles.items():
            menus = (
                self.env["ir.ui.menu"]
                .with_user(user)
                .search([("id", "child_of", root.id), ("action", "!=", False)])
            )
            self.assertTrue(menus, role)
            for menu in menus:
                action = menu.action.sudo()
                model = self.env[action.res_model].with_user(user)
                # the views the web client opens: the action's own, else the model's defaults
                modes = [(view_id or False, mode) for view_id, mode in action.views]
                search = action.search_view_id.id or False
                with self.subTest(role=role, menu=menu.complete_name):
                    views = model.get_views([*modes, (search, "search")])
                    self.assertEqual(set(views["views"]), {m for _v, m in modes} | {"search"})
                    # what the client reads: the fields of the list, form, kanban... views (a
                    # search view's field list may name relations the user never reads)
                    shown = model.get_views(modes)["models"][model._name]["fields"]
                    model.search([], limit=5).read(list(shown))

    def test_menus_per_role(self):
        config = self.env.ref("core_facility.menu_facility_config")
        all_qualifications = self.env.ref("core_facility.menu_facility_qualification")
        menus = self.env["ir.ui.menu"]
        self.assertNotIn(config.id, menus.with_user(self.student_a1)._visible_menu_ids())
        self.assertNotIn(
            all_qualifications.id, menus.with_user(self.student_a1)._visible_menu_ids()
        )
        self.assertIn(config.id, menus.with_user(self.director)._visible_menu_ids())
        self.assertIn(all_qualifications.id, menus.with_user(self.pi_a)._visible_menu_ids())
