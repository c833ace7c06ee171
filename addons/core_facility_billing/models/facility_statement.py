import io
from datetime import date, datetime

import xlsxwriter
from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.core_facility.models.access import FINANCE

from ..rules import statement as rules
from ..rules.codes import ChargeState
from ..rules.money import to_decimal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Lines a statement lists: those that will be or were paid (not drafts, not cancelled).
STATEMENT_STATES = (ChargeState.CONFIRMED, ChargeState.DISPUTED, ChargeState.SETTLED)


class FacilityStatement(models.Model):
    """A research group's statement of a period (月结单): every line, totals per fund and per
    instrument, as PDF and XLSX, mailed to the PI in their language. One per group and period
    (a unique key): generating twice refreshes the unsent ones and creates nothing new."""

    _name = "facility.statement"
    _description = "Charge Statement"
    _inherit = ["mail.thread", "portal.mixin", "facility.guarded.mixin"]
    _order = "date_to desc, research_group_id"
    _guarded_fields = (
        "research_group_id",
        "date_from",
        "date_to",
        "charge_ids",
        "amount_total",
        "sent_date",
    )

    name = fields.Char(readonly=True, copy=False, default="/")
    research_group_id = fields.Many2one("facility.research.group", required=True, index=True)
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True, string="PI")
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    charge_ids = fields.Many2many(
        "facility.charge",
        "facility_statement_charge_rel",
        "statement_id",
        "charge_id",
        string="Lines",
        readonly=True,
    )
    line_count = fields.Integer(string="Number of Lines", compute="_compute_line_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(string="Total", readonly=True)
    sent_date = fields.Datetime(string="Sent", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    _sql_constraints = [
        (
            "period_uniq",
            "unique(research_group_id, date_from, date_to, company_id)",
            "A research group has one statement per period.",
        ),
        ("dates_order", "CHECK(date_to >= date_from)", "A statement ends after it starts."),
    ]

    # -- computes -------------------------------------------------------------------------------

    def _compute_line_count(self):
        for statement in self:
            statement.line_count = len(statement.charge_ids)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for statement in self:
            statement.access_url = f"/my/billing/statements/{statement.id}"
        return res

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            raise UserError(
                self.env._("Statements are prepared with Send Statements, not created by hand.")
            )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_unsent_only(self):
        if any(statement.sent_date for statement in self):
            raise UserError(self.env._("A statement sent to its PI stays on record."))

    # -- actions --------------------------------------------------------------------------------

    def action_refresh(self):
        """Read the period's lines again (statements not yet sent)."""
        self._check_finance()
        self._refresh()

    def action_send(self):
        """Mail the statements to their PIs, PDF and XLSX attached, in each PI's language."""
        self._check_finance()
        self._send()

    def action_view_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lines of %(statement)s", statement=self.name),
            "res_model": "facility.charge",
            "view_mode": "list,form",
            "domain": [("id", "in", self.charge_ids.ids)],
            "context": {"create": False},
        }

    def action_download_xlsx(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self._xlsx_url(), "target": "self"}

    # -- public API -----------------------------------------------------------------------------

    @api.model
    def generate_statements(self, date_from, date_to, groups=None, send=False, company=None):
        """The statements of ``date_from``–``date_to`` of ``groups`` (default: every group with
        lines in the period), of ``company`` only if given: created once per group and period,
        the unsent ones refreshed; with ``send``, mailed to their PIs. Finance, the settlement
        and the cron call it. Returns the statements."""
        self._check_finance()
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        Charge = self.env["facility.charge"].sudo()
        domain = [
            ("date", ">=", date_from),
            ("date", "<=", date_to),
            ("state", "in", list(STATEMENT_STATES)),
        ]
        if groups is not None:
            domain.append(("research_group_id", "in", groups.ids))
        if company:
            domain.append(("company_id", "=", company.id))
        pairs = Charge._read_group(domain, ["research_group_id", "company_id"])
        statements = self.browse()
        Statement = self.sudo()
        for group, company in pairs:
            key = [
                ("research_group_id", "=", group.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("company_id", "=", company.id),
            ]
            statement = Statement.search(key, limit=1)
            if not statement:
                vals = {
                    "research_group_id": group.id,
                    "date_from": date_from,
                    "date_to": date_to,
                    "company_id": company.id,
                    "name": self.env._(
                        "Statement %(group)s %(period)s",
                        group=group.code or group.name,
                        period=_period_label(date_from, date_to),
                    ),
                }
                try:  # the unique key decides, under any concurrency
                    with self.env.cr.savepoint():
                        statement = Statement._guard_context().create(vals)
                except IntegrityError:
                    continue  # created by a concurrent run: it is on record, once
            statements |= statement
        statements._refresh()
        if send:
            statements.filtered(lambda s: not s.sent_date)._send()
        return statements.with_env(self.env)

    # -- business methods -----------------------------------------------------------------------

    def _check_finance(self):
        if not (self.env.su or self.env.user.has_group(FINANCE)):
            raise UserError(self.env._("Only finance prepares and sends statements."))

    def _refresh(self):
        """Link each unsent statement to its period's lines and total them to the fen."""
        Charge = self.env["facility.charge"].sudo()
        for statement in self.sudo().filtered(lambda s: not s.sent_date):
            charges = Charge.search(
                [
                    ("research_group_id", "=", statement.research_group_id.id),
                    ("company_id", "=", statement.company_id.id),
                    ("date", ">=", statement.date_from),
                    ("date", "<=", statement.date_to),
                    ("state", "in", list(STATEMENT_STATES)),
                ],
                order="date, id",
            )
            total = rules.grand_total([to_decimal(c.amount) for c in charges])
            statement._write_guarded(
                {"charge_ids": [(6, 0, charges.ids)], "amount_total": float(total)}
            )

    def _lines(self):
        """The statement's lines in date order (as superuser: whoever may read the statement
        reads its lines on it)."""
        self.ensure_one()
        return self.sudo().charge_ids.sorted(lambda c: (c.date, c.id))

    def _fund_totals(self):
        """``[(fund name, Decimal)]``: totals per fund, to the fen."""
        none = self.env._("No Fund")
        return rules.totals_by(
            (c.fund_id.display_name or none, to_decimal(c.amount)) for c in self._lines()
        )

    def _instrument_totals(self):
        """``[(instrument or service name, Decimal)]``: totals per instrument, to the fen."""
        other = self.env._("Other")
        return rules.totals_by(
            (
                c.instrument_id.name or c.service_type_id.name or other,
                to_decimal(c.amount),
            )
            for c in self._lines()
        )

    def _state_label(self, charge):
        return dict(charge._fields["state"]._description_selection(self.env)).get(charge.state)

    def _unit_label(self, charge):
        return dict(charge._fields["fee_unit"]._description_selection(self.env)).get(
            charge.fee_unit, ""
        )

    def _xlsx_url(self):
        self.ensure_one()
        return f"/core_facility_billing/statement/{self.id}/xlsx"

    def _xlsx_filename(self):
        return f"{self.name}.xlsx"

    def _xlsx_content(self):
        """The statement as an XLSX workbook (bytes): the lines, then totals per fund and per
        instrument and the grand total. Headers in the reader's language."""
        self.ensure_one()
        _ = self.env._
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet(_("Statement")[:31])
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write(0, 0, self.name, bold)
        sheet.write(1, 0, _("Research Group"))
        sheet.write(1, 1, self.research_group_id.name)
        sheet.write(2, 0, _("Period"))
        sheet.write(2, 1, f"{self.date_from} – {self.date_to}")
        headers = [
            _("Date"),
            _("Instrument"),
            _("Description"),
            _("User"),
            _("Quantity"),
            _("Unit"),
            _("Unit Price (元)"),
            _("Amount (元)"),
            _("Fund"),
            _("State"),
        ]
        row = 4
        for col, header in enumerate(headers):
            sheet.write(row, col, header, bold)
        for charge in self._lines():
            row += 1
            sheet.write_datetime(row, 0, _as_datetime(charge.date), day)
            sheet.write(row, 1, charge.instrument_id.name or charge.service_type_id.name or "")
            sheet.write(row, 2, charge.name or "")
            sheet.write(row, 3, charge.user_id.name or "")
            sheet.write_number(row, 4, charge.quantity)
            sheet.write(row, 5, self._unit_label(charge))
            sheet.write_number(row, 6, charge.unit_price, money)
            sheet.write_number(row, 7, charge.amount, money)
            sheet.write(row, 8, charge.fund_id.display_name or "")
            sheet.write(row, 9, self._state_label(charge))
        for title, totals in (
            (_("Totals per Fund"), self._fund_totals()),
            (_("Totals per Instrument"), self._instrument_totals()),
        ):
            row += 2
            sheet.write(row, 0, title, bold)
            for key, amount in totals:
                row += 1
                sheet.write(row, 1, key)
                sheet.write_number(row, 7, float(amount), money)
        row += 2
        sheet.write(row, 0, _("Grand Total"), bold)
        sheet.write_number(row, 7, self.amount_total, money_bold)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 3, 22)
        sheet.set_column(6, 8, 16)
        book.close()
        return buffer.getvalue()

    def _send(self):
        """Mail each statement to its PI with the PDF (the template's report) and the XLSX, the
        template rendered in the PI's language; mark it sent."""
        template = self.env.ref("core_facility_billing.mail_template_facility_statement")
        for statement in self.sudo():
            lang = statement.pi_id.partner_id.lang or "en_US"
            content = statement.with_context(lang=lang)._xlsx_content()
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": statement._xlsx_filename(),
                        "raw": content,
                        "res_model": statement._name,
                        "res_id": statement.id,
                        "mimetype": XLSX_MIME,
                    }
                )
            )
            template.send_mail(
                statement.id,
                email_values={"attachment_ids": [(4, attachment.id)]},
                force_send=False,
            )
            statement._write_guarded({"sent_date": fields.Datetime.now()})

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.name

    @api.model
    def _cron_send_statements(self, today=None):
        """Each company's statements of its last settlement period (the period that ended
        before the one containing ``today``, under the company's scheme: monthly, or the
        cut-off days), generated and mailed; those already sent are not sent again."""
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        statements = self.browse()
        for company in self.env["res.company"].sudo().search([]):
            period = company._facility_previous_period(today)
            statements |= self.sudo().generate_statements(
                period.date_from, period.date_to, send=True, company=company
            )
        return statements


def _period_label(date_from, date_to):
    if date_from.day == 1 and date_to == date_from + relativedelta(months=1, days=-1):
        return date_from.strftime("%Y-%m")
    return f"{date_from} – {date_to}"


def _as_datetime(day):
    return datetime.combine(day, datetime.min.time()) if isinstance(day, date) else day
