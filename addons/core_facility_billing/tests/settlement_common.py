from datetime import date

from odoo.addons.core_facility.models.access import permit
from odoo.addons.core_facility.tests.common import FacilityCase

from ..rules.codes import ChargeKind, ChargeState, PayerCategory
from ..rules.money import line_amount


def ensure_yuan(env, company):
    """Settlements post in yuan: a database without demo data has the chart's US dollars, and
    no journal item yet, so its currency may still change."""
    cny = env.ref("base.CNY")
    if company.currency_id != cny and not env["account.move.line"].search_count(
        [("company_id", "=", company.id)], limit=1
    ):
        cny.active = True
        company.currency_id = cny


class SettlementCase(FacilityCase):
    """Group A (internal) with two funds, group B (external) with its billing partner, and a
    helper making confirmed charge lines in March 2039 (far from the demo's lines)."""

    MARCH = (date(2039, 3, 1), date(2039, 3, 31))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        ensure_yuan(cls.env, cls.company)
        cls.company._facility_billing_accounts()
        Fund = cls.env["account.analytic.account"]
        cls.fund_a = Fund.create(
            {
                "name": "NSFC 32171234",
                "facility_fund_code": "2039-KY-0001",
                "facility_research_group_id": cls.group_a.id,
                "facility_date_from": "2038-01-01",
                "facility_date_to": "2040-06-30",
            }
        )
        cls.fund_a2 = Fund.create(
            {
                "name": "MOST 2038YFA0900",
                "facility_fund_code": "2039-KY-0002",
                "facility_research_group_id": cls.group_a.id,
            }
        )
        cls.group_a.default_fund_id = cls.fund_a
        cls.external_partner = cls.env["res.partner"].create({"name": "North China University"})
        cls.group_b.partner_id = cls.external_partner
        cls.serial = 0

    @classmethod
    def line(
        cls,
        amount=None,
        fund=None,
        instrument=None,
        day=date(2039, 3, 10),
        group=None,
        category=PayerCategory.INTERNAL,
        state=ChargeState.CONFIRMED,
        quantity=1.0,
        unit_price=None,
        **values,
    ):
        """A confirmed line (as the charges' generation makes it): ``amount`` or quantity ×
        unit price rounded to the fen."""
        cls.serial += 1
        if amount is None:
            amount = float(line_amount(quantity, unit_price))
        group = group or (cls.group_b if category == PayerCategory.EXTERNAL else cls.group_a)
        return permit(cls.env["facility.charge"]).create(
            dict(
                {
                    "name": f"Line {cls.serial}",
                    "date": day,
                    "kind": ChargeKind.MANUAL,
                    "instrument_id": (instrument or cls.spirit).id,
                    "research_group_id": group.id,
                    "partner_id": group.partner_id.id,
                    "fund_id": fund.id if fund else False,
                    "payer_category": category,
                    "quantity": quantity,
                    "unit_price": unit_price or amount,
                    "amount": amount,
                    "state": state,
                    "origin_key": f"test:settlement:{cls.serial}",
                },
                **values,
            )
        )

    def settle(self, kind="period", user=None, period=None):
        date_from, date_to = period or self.MARCH
        Settlement = self.env["facility.settlement"].with_user(user or self.finance)
        return Settlement.settle_period(self.company, date_from, date_to, kind)
