"""The billing page of the portal: a member of an external group sees its balance and his own
lines; its PI every line, its invoices and statements; a member gets a 404 on the group's
statement, anyone on another group's."""

from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from ..rules.codes import BillingMode, ChargeState


@tagged("post_install", "-at_install")
class TestPortalBilling(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.member = new_test_user(env, login="t_portal_ncu", groups="base.group_portal")
        cls.stranger = new_test_user(env, login="t_portal_other", groups="base.group_portal")
        pi = new_test_user(env, login="t_pi_ncu", groups="core_facility.group_facility_pi")
        cls.portal_pi = new_test_user(env, login="t_portal_pi_ncu", groups="base.group_portal")
        cls.ncu = env["res.partner"].create({"name": "Portal University", "is_company": True})
        Group = env["facility.research.group"]
        cls.group = Group.create(
            {
                "name": "Portal Prepaid Lab",
                "pi_id": cls.portal_pi.id,
                "category": "external",
                "partner_id": cls.ncu.id,
                "billing_mode": BillingMode.PREPAID,
                "member_ids": [(4, cls.member.id)],
            }
        )
        cls.other = Group.create(
            {
                "name": "Other Lab",
                "pi_id": pi.id,
                "category": "external",
                "member_ids": [(4, cls.stranger.id)],
            }
        )
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.ncu.id,
                "amount": 4321.5,
                "journal_id": bank.id,
            }
        ).action_post()
        for group, name, user in (
            (cls.group, "Spirit for Portal Prepaid Lab", cls.member),
            (cls.group, "Spirit for the PI himself", cls.portal_pi),
            (cls.other, "Spirit for Other Lab", cls.stranger),
        ):
            env["facility.charge"].sudo().create(
                {
                    "name": name,
                    "date": date(2042, 9, 3),
                    "research_group_id": group.id,
                    "user_id": user.id,
                    "payer_category": "external",
                    "quantity": 1,
                    "unit_price": 150,
                    "amount": 150,
                    "state": ChargeState.CONFIRMED,
                }
            )
        Statement = env["facility.statement"]
        cls.statements = Statement.generate_statements(date(2042, 9, 1), date(2042, 9, 30))
        cls.mine = cls.statements.filtered(lambda s: s.research_group_id == cls.group)
        cls.theirs = cls.statements.filtered(lambda s: s.research_group_id == cls.other)

    def test_member_sees_the_balance_and_his_own_lines_only(self):
        self.authenticate("t_portal_ncu", "t_portal_ncu")
        response = self.url_open("/my/billing")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("Portal Prepaid Lab", page)
        self.assertIn("4,021.50", page)  # 4,321.50 deposited − 2 × 150 unsettled
        self.assertIn("Spirit for Portal Prepaid Lab", page)
        self.assertNotIn("Spirit for the PI himself", page)
        self.assertNotIn(self.mine.name, page)  # the statement is the PI's
        self.assertNotIn("Other Lab", page)

    def test_pi_sees_every_line_and_the_statements(self):
        self.authenticate("t_portal_pi_ncu", "t_portal_pi_ncu")
        page = self.url_open("/my/billing").text
        self.assertIn("Spirit for Portal Prepaid Lab", page)
        self.assertIn("Spirit for the PI himself", page)
        self.assertIn(self.mine.name, page)
        self.assertNotIn("Other Lab", page)

    def test_member_reads_his_own_lines_only(self):
        Charge = self.env["facility.charge"]
        own = Charge.with_user(self.member).search([("research_group_id", "=", self.group.id)])
        self.assertEqual(own.mapped("name"), ["Spirit for Portal Prepaid Lab"])
        every = Charge.with_user(self.portal_pi).search([("research_group_id", "=", self.group.id)])
        self.assertEqual(len(every), 2)

    def test_pi_downloads_the_statement_others_get_404(self):
        self.authenticate("t_portal_pi_ncu", "t_portal_pi_ncu")
        mine = self.url_open(f"/my/billing/statements/{self.mine.id}")
        self.assertEqual(mine.status_code, 200)
        xlsx = self.url_open(f"/core_facility_billing/statement/{self.mine.id}/xlsx")
        self.assertEqual(xlsx.status_code, 200)
        self.assertEqual(xlsx.content[:2], b"PK")
        for url in (
            f"/my/billing/statements/{self.theirs.id}",
            f"/core_facility_billing/statement/{self.theirs.id}/xlsx",
            "/my/billing/statements/99999999",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)

    def test_member_gets_404_on_the_groups_statement(self):
        self.authenticate("t_portal_ncu", "t_portal_ncu")
        for url in (
            f"/my/billing/statements/{self.mine.id}",
            f"/my/billing/statements/{self.mine.id}?report_type=xlsx",
            f"/core_facility_billing/statement/{self.mine.id}/xlsx",
            f"/my/billing/statements/{self.theirs.id}",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)

    def test_home_has_the_billing_entry(self):
        self.authenticate("t_portal_ncu", "t_portal_ncu")
        self.assertIn("/my/billing", self.url_open("/my/home").text)
