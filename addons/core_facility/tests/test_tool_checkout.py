"""Checkout of high-value tools and keys: staff lend, the borrower brings back, staff check it
complete; one borrower at a time, overdue ones flagged (domain.md §1, high-value tools)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import FacilityCase

MONDAY_9 = datetime(2030, 3, 4, 1, 0)  # 09:00 in Shanghai


@tagged("post_install", "-at_install")
class TestToolCheckout(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tool = cls.env["facility.tool"]
        cls.vitrobot = Tool.create(
            {
                "name": "Vitrobot kit",
                "code": "VB-01",
                "kind": "kit",
                "instrument_id": cls.t20.id,
                "responsible_id": cls.manager_spirit.id,
                "loan_hours": 8,
            }
        )
        cls.key = Tool.create(
            {"name": "EM room key", "kind": "key", "responsible_id": cls.manager_t20.id}
        )

    def lend(self, tool=None, user=None, staff=None, **values):
        """``tool`` lent to ``user`` (student A1) by ``staff`` (the Spirit's manager)."""
        return (
            self.env["facility.tool.checkout"]
            .with_user(staff or self.manager_spirit)
            .create(
                dict(
                    {
                        "tool_id": (tool or self.vitrobot).id,
                        "user_id": (user or self.student_a1).id,
                    },
                    **values,
                )
            )
        )

    @freeze_time(MONDAY_9)
    def test_staff_lend_and_check_back_complete(self):
        checkout = self.lend()
        self.assertEqual(checkout.research_group_id, self.group_a, "the borrower's group")
        self.assertEqual(checkout.date_out, MONDAY_9)
        self.assertEqual(checkout.date_due, MONDAY_9 + timedelta(hours=8), "the tool's loan")
        self.assertEqual(self.vitrobot.state, "out")
        self.assertEqual(self.vitrobot.borrower_id, self.student_a1)
        with freeze_time(MONDAY_9 + timedelta(hours=5)):
            checkout.with_user(self.technician).action_return()
        self.assertRecordValues(
            checkout,
            [
                {
                    "state": "returned",
                    "returned_complete": True,
                    "checked_by_id": self.technician.id,
                    "date_returned": MONDAY_9 + timedelta(hours=5),
                    "is_overdue": False,
                }
            ],
        )
        self.assertEqual(self.vitrobot.state, "available")
        self.assertFalse(self.vitrobot.current_checkout_id)
        # lent again once back
        self.assertEqual(self.lend(user=self.student_b1).state, "out")

    @freeze_time(MONDAY_9)
    def test_one_borrower_at_a_time(self):
        self.lend()
        with self.assertRaisesRegex(
            ValidationError,
            r"VB-01\] Vitrobot kit is already checked out to t_student_a1 .*"
            r" since 2030-03-04 09:00",
        ):
            self.lend(user=self.student_b1, staff=self.manager_t20)
        # another tool is free
        self.assertEqual(self.lend(tool=self.key, user=self.student_b1).state, "out")

    def test_due_time_can_be_set(self):
        checkout = self.lend(date_out=MONDAY_9, date_due=MONDAY_9 + timedelta(days=2))
        self.assertEqual(checkout.date_due, MONDAY_9 + timedelta(days=2))
        with self.assertRaisesRegex(ValidationError, "must be due back after"):
            self.lend(tool=self.key, date_out=MONDAY_9, date_due=MONDAY_9)

    def test_incomplete_return_names_what_is_missing(self):
        checkout = self.lend()
        with self.assertRaisesRegex(UserError, "Say what was missing or damaged"):
            checkout.action_return_incomplete()
        checkout.with_user(self.manager_spirit).return_note = "One tweezers missing"
        checkout.with_user(self.manager_spirit).action_return_incomplete()
        self.assertFalse(checkout.returned_complete)
        self.assertEqual(checkout.state, "returned")
        with self.assertRaisesRegex(UserError, "was already returned"):
            checkout.with_user(self.manager_spirit).action_return()

    def test_only_staff_check_returns(self):
        checkout = self.lend()
        for user in (self.student_a1, self.pi_a, self.finance):
            with self.assertRaisesRegex(AccessError, "Only the facility's staff"):
                checkout.with_user(user).action_return()
        # nobody writes the return directly, staff included
        for values in ({"state": "returned"}, {"returned_complete": True}):
            with self.assertRaisesRegex(UserError, "change only through its actions"):
                checkout.with_user(self.director).write(values)
        self.assertEqual(checkout.state, "out")

    def test_a_returned_checkout_is_a_record(self):
        checkout = self.lend()
        checkout.with_user(self.manager_spirit).action_return()
        with self.assertRaisesRegex(UserError, "no longer changes"):
            checkout.with_user(self.director).write({"user_id": self.student_b1.id})
        with self.assertRaisesRegex(UserError, "keep it"):
            checkout.with_user(self.director).unlink()

    def test_borrower_of_the_group(self):
        with self.assertRaisesRegex(ValidationError, r"t_student_b1 .* is not a member of Group A"):
            self.lend(user=self.student_b1, research_group_id=self.group_a.id)

    def test_overdue_flag_and_filter(self):
        Checkout = self.env["facility.tool.checkout"]
        with freeze_time(MONDAY_9):
            checkout = self.lend()
        with freeze_time(MONDAY_9 + timedelta(hours=8)):
            checkout.invalidate_recordset(["is_overdue"])
            self.assertFalse(checkout.is_overdue, "due at this minute")
            self.assertNotIn(checkout, Checkout.search([("is_overdue", "=", True)]))
        with freeze_time(MONDAY_9 + timedelta(hours=8, minutes=1)):
            checkout.invalidate_recordset(["is_overdue"])
            self.assertTrue(checkout.is_overdue)
            self.assertIn(checkout, Checkout.search([("is_overdue", "=", True)]))
            self.assertNotIn(checkout, Checkout.search([("is_overdue", "=", False)]))
            self.assertIn(
                self.vitrobot,
                self.env["facility.tool"].search([("current_checkout_id.is_overdue", "=", True)]),
            )

    def test_cron_asks_borrower_and_responsible_once(self):
        with freeze_time(MONDAY_9):
            checkout = self.lend()
            on_time = self.lend(tool=self.key, date_due=MONDAY_9 + timedelta(days=3))
        Checkout = self.env["facility.tool.checkout"]
        with freeze_time(MONDAY_9 + timedelta(days=1)):
            flagged = Checkout._cron_flag_overdue()
            Checkout._cron_flag_overdue()
        # (demo checkouts may be overdue too)
        self.assertEqual(flagged & (checkout | on_time), checkout)
        self.assertFalse(on_time.activity_ids)
        self.assertEqual(
            checkout.activity_ids.user_id, self.student_a1 | self.manager_spirit, "no duplicates"
        )
        self.assertEqual(len(checkout.activity_ids), 2)
        self.assertIn("Overdue: return [VB-01] Vitrobot kit", checkout.activity_ids[0].summary)
        self.assertIn("2030-03-04 17:00", str(checkout.activity_ids[0].note), "local time")
        self.assertTrue(checkout.overdue_notified)
        # returning it closes the reminders
        checkout.with_user(self.manager_spirit).action_return()
        self.assertFalse(checkout.activity_ids)


@tagged("post_install", "-at_install")
class TestToolCheckoutConcurrency(BaseCase):
    """Two staff members lending the same kit at once: the partial unique index keeps one."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            tool = env["facility.tool"].create(
                {"name": "Concurrency kit", "responsible_id": env.ref("base.user_admin").id}
            )
            self.tool_id = tool.id
            self.user_id = env.ref("base.user_admin").id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM facility_tool_checkout WHERE tool_id = %s", [self.tool_id])
            cr.execute("DELETE FROM facility_tool WHERE id = %s", [self.tool_id])

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))

    def _values(self):
        return {"tool_id": self.tool_id, "user_id": self.user_id}

    def test_two_sessions_lend_the_same_kit(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            # session B looks first: the kit is available in its snapshot
            self.assertEqual(env_b["facility.tool"].browse(self.tool_id).state, "available")
            env_a["facility.tool.checkout"].create(self._values())
            cr_a.commit()
            # B's check still sees the kit available: only the index stops the second loan
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaisesRegex(
                    ValidationError, "Concurrency kit was checked out by someone else"
                ),
            ):
                env_b["facility.tool.checkout"].create(self._values())
            cr_b.rollback()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM facility_tool_checkout WHERE tool_id = %s "
                "GROUP BY state",
                [self.tool_id],
            )
            self.assertEqual(dict(cr.fetchall()), {"out": 1})
            # a retry reads the loan and names the borrower
            with self.assertRaisesRegex(ValidationError, "already checked out to"):
                self._env(cr)["facility.tool.checkout"].create(self._values())
