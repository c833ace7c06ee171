"""Demo data only: the accounting side of external users (seed 001 §3.2.6), loaded once the
company has a chart of accounts (``account`` loads it after the addons' data, so it is loaded
here first when missing).

- 华北大学结构生物学课题组 (prepaid): a deposit by bank transfer covering its invoices and
  open charges, leaving about 5,000 元 available;
- 燕园生物结构组 (prepaid): 100 元 deposited, so a 2 h Spirit session (300 元) is refused until
  it deposits more — the acceptance story;
- 南方医科大学蛋白结构课题组 (invoice): one open invoice of 1,800 元 with its fapiao number;
- 华东理工大学纳米材料课题组 (invoice): an invoice of 2,400 元 due 90 days ago — in arrears, its
  booking is blocked and the daily job records the "unpaid fees" violation;
- allocation shares of the imaging centre and its labs (70 / 20 / 10);
- last month's reconciliation, checked, and last month's statements (not sent).
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models


# pylint: disable=consider-merging-classes-inherited
# (demo data only, kept out of the model's own file)
class FacilityResearchGroup(models.Model):
    _inherit = "facility.research.group"

    @api.model
    def _demo_load_billing_external(self):
        env = self.env
        ref = env.ref
        company = env.company
        if not company.chart_template:
            env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company._facility_billing_setup()
        ncu = ref("core_facility.research_group_external_demo")
        ncu.billing_mode = "prepaid"
        if env["account.payment"].search_count([("partner_id", "=", ncu.partner_id.id)]):
            return  # loaded once
        today = fields.Date.context_today(self)
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        Payment = env["account.payment"]
        # 华北大学 books a lot in the demo: its deposit covers what it was invoiced, owes and has
        # booked, and leaves about 5,000 元 available
        owed = max(0, -int(ncu.available_balance)) + int(ncu._facility_pending_estimate())
        for group, amount, days, memo in (
            (ncu, (owed // 100 + 1) * 100 + 5000, 40, "华北大学预付测试费（银行转账）"),
            (ref("core_facility_billing.research_group_yanyuan_demo"), 100, 12, "燕园生物预付款"),
        ):
            payment = Payment.create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": group.partner_id.id,
                    "amount": amount,
                    "date": today - timedelta(days=days),
                    "journal_id": bank.id,
                    "memo": memo,
                }
            )
            payment.action_post()
            env["facility.deposit.wizard"]._reconcile_open_invoices(payment)
        income = company.facility_income_account_id or env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", company.ids)], limit=1
        )
        sales = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        for group, amount, invoiced, due, fapiao, label in (
            (
                "research_group_smu_demo",
                1800,
                today - timedelta(days=10),
                today + timedelta(days=20),
                "44011234",
                "Tecnai Spirit 负染观察 6 小时（校外 300 元/小时）",
            ),
            (
                "research_group_ecust_demo",
                2400,
                today - timedelta(days=120),
                today - timedelta(days=90),
                "31019876",
                "Tecnai Spirit 纳米颗粒成像 8 小时（校外 300 元/小时）",
            ),
        ):
            partner = ref(f"core_facility_billing.{group}").partner_id
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoiced,
                    "invoice_date_due": due,
                    "journal_id": sales.id,
                    "facility_fapiao_number": fapiao,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": label,
                                "quantity": amount / 300,
                                "price_unit": 300,
                                "account_id": income.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.action_post()
        self._cron_facility_arrears()
        # allocation shares of the imaging centre and its labs
        plan = company._facility_platform_plan()
        Share = env["facility.income.share"]
        for xmlid in ("unit_cbi_demo", "unit_em_demo", "unit_lm_demo", "unit_prep_demo"):
            unit = ref(f"core_facility.{xmlid}")
            if not unit.analytic_account_id:
                unit.analytic_account_id = env["account.analytic.account"].create(
                    {"name": unit.name, "code": unit.code, "plan_id": plan.id}
                )
            if not Share.search_count([("unit_id", "=", unit.id)]):
                Share.create({"unit_id": unit.id})
        # last month: the reconciliation, checked, and the statements (to send)
        first = today.replace(day=1) - relativedelta(months=1)
        env["facility.reconciliation"]._cron_monthly(today=today)
        env["facility.statement"].generate_statements(
            first, today.replace(day=1) - timedelta(days=1)
        )
        return True
