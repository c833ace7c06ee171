import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules.codes import ChargeKind, ChargeState, PayerCategory, SettlementKind
from ..rules.money import line_amount

_logger = logging.getLogger(__name__)

# awkward rates (CNY per hour), as fee standards give them
DEMO_RATES = (333.33, 266.67, 180.0, 95.5)


class FacilitySettlement(models.Model):
    """Demo of the settlement: last month settled, with its entries and an external invoice."""

    _inherit = "facility.settlement"

    @api.model
    def _demo_settle_previous_month(self):
        """Settle the previous month of the demo company: its internal lines from the research
        funds, its external lines by invoice (with a fapiao number). Lines come from the charges
        demo; when it made none for that month, a few are made from the month's done bookings."""
        company = self.env.ref("base.main_company")
        if not company.chart_template:
            # the demo runs before `account` loads a chart at the end of the installation; the
            # chart takes the fiscal country's currency: the demo institution's (China, CNY)
            if company.country_id:
                company.account_fiscal_country_id = company.country_id
            self.env["account.chart.template"].try_loading("generic_coa", company)
        cny = self.env.ref("base.CNY")
        if company.currency_id != cny and not self.env["account.move.line"].search_count(
            [("company_id", "=", company.id)], limit=1
        ):
            # `account` gave the demo institution its chart in US dollars: back to yuan
            cny.active = True
            company.currency_id = cny
        company._facility_billing_accounts()
        period = company._facility_previous_period(fields.Date.context_today(self))
        self._demo_charges(company, period)
        for kind in (SettlementKind.PERIOD, SettlementKind.INVOICE):
            try:
                with self.env.cr.savepoint():
                    self.settle_period(company, period.date_from, period.date_to, kind)
            except UserError as error:
                _logger.warning("Demo settlement of %s skipped: %s", kind, error)
        invoice = self.env["account.move"].search(
            [("facility_settlement_id.kind", "=", SettlementKind.INVOICE)], limit=1
        )
        if invoice:
            invoice.facility_fapiao_number = "26112000000001234567"

    @api.model
    def _demo_charges(self, company, period):
        Charge = self.env["facility.charge"]
        pending = Charge.search_count(
            [
                ("company_id", "=", company.id),
                ("date", ">=", period.date_from),
                ("date", "<=", period.date_to),
                ("state", "=", ChargeState.CONFIRMED),
            ]
        )
        if pending:
            return
        tz_offset = 8  # demo bookings are in Asia/Shanghai
        bookings = self.env["facility.booking"].search(
            [
                ("state", "=", "done"),
                ("chargeable_hours", ">", 0),
                ("date_start", ">=", fields.Datetime.to_datetime(period.date_from)),
                ("date_start", "<=", fields.Datetime.to_datetime(period.date_to)),
            ],
            order="date_start",
            limit=60,
        )
        vals_list = []
        for index, booking in enumerate(bookings):
            group = booking.research_group_id
            external = group.category == "external"
            if not external and not group.default_fund_id:
                continue
            rate = DEMO_RATES[index % len(DEMO_RATES)] * (2 if external else 1)
            quantity = booking.chargeable_hours
            day = (booking.date_start + timedelta(hours=tz_offset)).date()
            vals_list.append(
                {
                    "name": booking.display_name,
                    "date": min(max(day, period.date_from), period.date_to),
                    "kind": ChargeKind.MANUAL,
                    "instrument_id": booking.instrument_id.id,
                    "research_group_id": group.id,
                    "user_id": booking.operator_id.id,
                    "partner_id": group.partner_id.id,
                    "fund_id": False if external else group.default_fund_id.id,
                    "payer_category": PayerCategory.EXTERNAL
                    if external
                    else PayerCategory.INTERNAL,
                    "quantity": quantity,
                    "fee_unit": "hour",
                    "unit_price": rate,
                    "amount": float(line_amount(quantity, rate)),
                    "booking_id": booking.id,
                    "origin_key": f"demo:settlement:{booking.id}",
                    "state": ChargeState.CONFIRMED,
                    "company_id": company.id,
                }
            )
        if not any(v["payer_category"] == PayerCategory.EXTERNAL for v in vals_list):
            group = self.env.ref("core_facility.research_group_external_demo")
            instrument = self.env.ref("core_facility.instrument_spirit_demo")
            for index, hours in enumerate((3.0, 4.5)):
                vals_list.append(
                    {
                        "name": f"{instrument.name} ({hours:g} h)",
                        "date": period.date_from + timedelta(days=7 * index + 3),
                        "kind": ChargeKind.MANUAL,
                        "instrument_id": instrument.id,
                        "research_group_id": group.id,
                        "partner_id": group.partner_id.id,
                        "payer_category": PayerCategory.EXTERNAL,
                        "quantity": hours,
                        "fee_unit": "hour",
                        "unit_price": 666.67,
                        "amount": float(line_amount(hours, 666.67)),
                        "origin_key": f"demo:settlement:external:{index}",
                        "state": ChargeState.CONFIRMED,
                        "company_id": company.id,
                    }
                )
        Charge.create(vals_list)
