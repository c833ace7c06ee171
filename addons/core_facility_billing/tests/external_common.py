"""Fixtures of the external side of billing: an external prepaid group with its billing
partner, finance, a bank journal, and helpers for deposits, invoices and charge lines."""

from datetime import date

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.core_facility.tests.common import FacilityCase

from ..rules.codes import BillingMode, ChargeState


class ExternalCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.company._facility_billing_setup()
        cls.billing_admin = new_test_user(
            env,
            login="t_billing_admin",
            groups="core_facility_billing.group_billing_admin",
            tz="Asia/Shanghai",
        )
        cls.ncu = env["res.partner"].create({"name": "华北大学结构生物学中心", "is_company": True})
        cls.group_b.write({"partner_id": cls.ncu.id, "billing_mode": BillingMode.PREPAID})
        cls.group_b.name = "华北大学"
        cls.bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.income_account = cls.company.facility_income_account_id or env[
            "account.account"
        ].search([("account_type", "=", "income"), ("company_ids", "in", cls.company.ids)], limit=1)
        cls.sales = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1
        )

    # -- helpers --------------------------------------------------------------------------------

    @classmethod
    def deposit(cls, amount, group=None, day=None):
        """A deposit recorded by finance through the wizard; returns the payment."""
        group = group or cls.group_b
        wizard = (
            cls.env["facility.deposit.wizard"]
            .with_user(cls.finance)
            .create(
                {
                    "research_group_id": group.id,
                    "amount": amount,
                    "journal_id": cls.bank.id,
                    "date": day or fields.Date.today(),
                }
            )
        )
        wizard.action_register()
        return cls.env["account.payment"].search(
            [("partner_id", "=", group.partner_id.id)], order="id desc", limit=1
        )

    @classmethod
    def invoice(cls, amount, partner=None, due=None, day=None, post=True):
        """A customer invoice of ``amount`` (no tax) to ``partner`` (default: 华北大学)."""
        day = day or date.today()
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.ncu).id,
                "invoice_date": day,
                "invoice_date_due": due or day,
                "journal_id": cls.sales.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Spirit 2 h",
                            "quantity": 1,
                            "price_unit": amount,
                            "account_id": cls.income_account.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def charge(cls, amount, group=None, state=ChargeState.CONFIRMED, day=None, **values):
        """A charge line (as the charging engine writes it)."""
        group = group or cls.group_b
        return (
            cls.env["facility.charge"]
            .sudo()
            .create(
                dict(
                    {
                        "name": "Spirit",
                        "date": day or fields.Date.today(),
                        "instrument_id": cls.spirit.id,
                        "research_group_id": group.id,
                        "partner_id": group.partner_id.id,
                        "payer_category": group.category,
                        "quantity": 1,
                        "fee_unit": "hour",
                        "unit_price": amount,
                        "amount": amount,
                        "state": state,
                    },
                    **values,
                )
            )
        )
