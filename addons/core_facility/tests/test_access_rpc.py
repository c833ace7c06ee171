"""The findings of "Booking and its records, hardened", replayed over JSON-RPC as the web client
and scripts call the server: refusals are clean (UserError, AccessError, ValidationError), never a
server error (which the test runner fails on, as it logs an error)."""

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import FacilityCase

REFUSALS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.MissingError",
}


@tagged("post_install", "-at_install")
class TestAccessRpc(HttpCase, FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.free_user = cls.env["res.users"].create(
            {
                "name": "Free User",
                "login": "t_free_rpc",
                "password": "t_free_rpc",
                "groups_id": [Command.set(cls.env.ref("core_facility.group_facility_user").ids)],
            }
        )
        cls.billing = cls.env["res.partner"].create({"name": "Institute finance office"})
        cls.q_b1 = cls.grant(cls.student_b1, cls.spirit, cls.primary)

    def call(self, user, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` through /web/dataset/call_kw as ``user``."""
        self.authenticate(user.login, user.login.ljust(8, "x"))
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assertRefused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self.call(user, model, method, *args, **kwargs)
        self.assertIn(str(caught.exception), REFUSALS)
        return caught.exception

    def test_research_group_status_only_through_the_wizard(self):
        self.group_a.write({"state": "suspended", "state_reason": "Unpaid fees"})
        for user in (self.pi_a, self.director):
            self.assertRefused(
                user, "facility.research.group", "write", self.group_a.ids, {"state": "active"}
            )
        self.assertRefused(
            self.pi_a,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"state_date_to": "2020-01-01"},
        )
        # a client cannot forge the wizard's permission: the context only carries JSON
        self.assertRefused(
            self.pi_a,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"state": "active"},
            context={"core_facility_permit": True},
        )
        self.assertRefused(
            self.pi_a,
            "facility.research.group.state.wizard",
            "create",
            {"group_id": self.group_a.id, "state": "active"},
        )
        self.assertEqual(self.group_a.state, "suspended")
        wizard_id = self.call(
            self.director,
            "facility.research.group.state.wizard",
            "create",
            {"group_id": self.group_a.id, "state": "active"},
        )
        self.call(
            self.director, "facility.research.group.state.wizard", "action_apply", [wizard_id]
        )
        self.group_a.invalidate_recordset()
        self.assertEqual(self.group_a.state, "active")

    def test_billing_partner_and_category(self):
        for values in (
            {"partner_id": self.billing.id},
            {"category": "external"},
            {"pi_id": self.student_a1.id},
        ):
            self.assertRefused(
                self.pi_a, "facility.research.group", "write", self.group_a.ids, values
            )
        self.assertRefused(
            self.finance,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"category": "external"},
        )
        self.call(
            self.finance,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"partner_id": self.billing.id},
        )
        self.call(
            self.director,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"category": "external"},
        )
        self.assertEqual(self.group_a.partner_id, self.billing)
        self.assertEqual(self.group_a.category, "external")

    def test_pi_cannot_take_another_groups_member(self):
        self.assertRefused(
            self.pi_a,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"member_ids": [Command.link(self.student_b1.id)]},
        )
        seen = self.call(
            self.pi_a,
            "facility.qualification",
            "search_read",
            [("user_id", "=", self.student_b1.id)],
            ["id"],
        )
        self.assertEqual(seen, [])
        self.call(
            self.pi_a,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"member_ids": [Command.link(self.free_user.id)]},
        )
        self.call(
            self.pi_a,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"member_ids": [Command.unlink(self.student_a2.id)]},
        )
        self.assertEqual(self.group_a.member_ids, self.pi_a | self.student_a1 | self.free_user)
        # intake: an instrument manager moves a user between groups
        self.call(
            self.manager_spirit,
            "facility.research.group",
            "write",
            self.group_a.ids,
            {"member_ids": [Command.link(self.student_b1.id)]},
        )
        self.assertIn(self.student_b1, self.group_a.member_ids)

    def test_users_searched_by_group_reveal_only_what_one_sees(self):
        domain = [("facility_group_ids", "in", self.group_b.ids)]
        self.assertEqual(self.call(self.student_a1, "res.users", "search_read", domain, ["id"]), [])
        self.assertEqual(self.call(self.pi_a, "res.users", "search_count", domain), 0)
        found = self.call(self.finance, "res.users", "search_read", domain, ["id"])
        self.assertEqual({r["id"] for r in found}, {self.pi_b.id, self.student_b1.id})
        for model, domain in (
            ("res.users", [("facility_qualification_ids", "in", self.q_b1.ids)]),
            ("res.users", [("facility_qualification_ids.instrument_id", "=", self.spirit.id)]),
            ("res.users", [("partner_id.user_ids.facility_group_ids", "in", self.group_b.ids)]),
            ("res.partner", [("user_ids.facility_group_ids", "in", self.group_b.ids)]),
            ("res.partner", [("user_ids.facility_group_ids", "!=", False)]),
        ):
            with self.subTest(model=model, domain=domain):
                found = self.call(self.student_a1, model, "search_read", domain, ["id"])
                hidden = self.student_b1 if model == "res.users" else self.student_b1.partner_id
                self.assertNotIn(hidden.id, {r["id"] for r in found})
        read = self.call(
            self.student_a1, "res.users", "read", self.student_b1.ids, ["facility_group_ids"]
        )
        self.assertEqual(read[0]["facility_group_ids"], [])

    def test_assessment_state_and_signatures_over_rpc(self):
        assessment_id = self.call(
            self.manager_spirit,
            "facility.assessment",
            "create",
            {
                "trainee_id": self.student_a1.id,
                "research_group_id": self.group_a.id,
                "level_id": self.primary.id,
                "instrument_ids": [Command.set(self.spirit.ids)],
            },
        )
        for values in (
            {"state": "done"},
            {"unit_head_sign_date": "2025-01-01", "lab_head_sign_date": "2025-01-01"},
            {"unit_head_id": self.student_a2.id},
            {"lab_head_id": self.student_a2.id},
            {"instrument_ids": [Command.link(self.t20.id)]},
        ):
            self.assertRefused(
                self.manager_spirit, "facility.assessment", "write", [assessment_id], values
            )
        self.assertRefused(
            self.manager_spirit,
            "facility.assessment",
            "create",
            {
                "trainee_id": self.student_a1.id,
                "research_group_id": self.group_a.id,
                "level_id": self.primary.id,
                "instrument_ids": [Command.set((self.spirit | self.t20).ids)],
            },
        )
        self.assertRefused(
            self.manager_spirit,
            "facility.qualification",
            "create",
            {
                "user_id": self.student_a1.id,
                "instrument_id": self.spirit.id,
                "level_id": self.primary.id,
                "assessment_id": assessment_id,
            },
        )
        # the sign actions, each by its signer
        assessment = self.env["facility.assessment"].browse(assessment_id)
        lines = self.call(
            self.manager_spirit,
            "facility.assessment.line",
            "search",
            [("assessment_id", "=", assessment_id)],
        )
        self.call(
            self.manager_spirit, "facility.assessment.line", "write", lines, {"result": "pass"}
        )
        self.assertRefused(
            self.student_a1, "facility.assessment", "action_confirm", [assessment_id]
        )
        self.call(self.manager_spirit, "facility.assessment", "action_confirm", [assessment_id])
        self.assertRefused(self.pi_a, "facility.assessment", "action_sign_trainee", [assessment_id])
        self.call(self.student_a1, "facility.assessment", "action_sign_trainee", [assessment_id])
        self.call(self.pi_a, "facility.assessment", "action_sign_lab_head", [assessment_id])
        self.call(self.unit_head, "facility.assessment", "action_sign_unit_head", [assessment_id])
        assessment.invalidate_recordset()
        self.assertEqual(assessment.state, "done")
        self.assertEqual(assessment.qualification_ids.user_id, self.student_a1)

    def test_is_qualified_takes_ids_and_refuses_garbage(self):
        self.grant(self.student_a1, self.spirit, self.primary, "2025-01-01")
        model = "facility.qualification"
        ids = (self.student_a1.id, self.spirit.id, self.primary.id)
        self.assertTrue(self.call(self.student_a1, model, "is_qualified", *ids))
        self.assertTrue(
            self.call(self.student_a1, model, "is_qualified", *ids, on_date="2025-06-01")
        )
        self.assertFalse(self.call(self.student_a1, model, "is_qualified", *ids, "2024-12-31"))
        self.assertTrue(
            self.call(self.student_a1, model, "is_qualified", [ids[0]], [ids[1]], [ids[2]])
        )
        self.assertFalse(
            self.call(self.student_a1, model, "is_qualified", self.student_a2.id, ids[1], ids[2])
        )
        for args in (
            ("x", ids[1], ids[2]),
            (ids[0], {"id": ids[1]}, ids[2]),
            (ids[0], ids[1], 999999),
            (ids[0], ids[1], None),
            (True, ids[1], ids[2]),
            ([ids[0], ids[1]], ids[1], ids[2]),
            (*ids, "yesterday"),
            (*ids, 20250101),
        ):
            with self.subTest(args=args):
                self.assertRefused(self.student_a1, model, "is_qualified", *args)

    def test_public_methods_with_bad_arguments(self):
        self.assertRefused(
            self.director,
            "facility.research.group",
            "action_change_state",
            (self.group_a | self.group_b).ids,
        )
        self.assertRefused(self.director, "facility.unit", "action_view_instruments", [])
        self.assertRefused(
            self.student_a1,
            "facility.qualification",
            "search_read",
            [("is_valid", "in", [True])],
            ["id"],
        )
        self.assertRefused(
            self.student_a1,
            "res.users",
            "search_read",
            [("facility_group_ids", "child_of", self.group_a.id)],
            ["id"],
        )
        self.assertRefused(
            self.student_a1,
            "res.users",
            "search_read",
            [("facility_group_ids", "=", {"a": 1})],
            ["id"],
        )
