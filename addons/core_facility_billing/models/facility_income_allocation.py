from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..rules import allocation
from ..rules.money import round_fen, to_decimal
from ..rules.yuan import yuan

BILLING_ADMIN = "core_facility_billing.group_billing_admin"
# the quarter an allocation allocates: fixed once it is posted
QUARTER_FIELDS = frozenset({"year", "quarter", "company_id", "date_from", "date_to"})


class FacilityIncomeAllocation(models.Model):
    """A quarter's allocation of each platform's income to the platform, its department and
    the school (拨款), posted as journal entries with analytic distributions.

    A platform's income of the quarter is what its analytic account received on the facility
    income account (credits − debits of posted journal items); it is split by the platform's
    shares (``rules/allocation.py``: to the fen, the school takes the remainder) and posted as
    one entry per platform in the facility journal: debit the income account (platform
    analytic), credit the platform, department and school share accounts (the platform's share
    with the platform analytic). Posted once per quarter (a unique index on the posted ones);
    a reversal undoes it, after which the quarter may be allocated again."""

    _name = "facility.income.allocation"
    _description = "Income Allocation"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date_to desc, id desc"
    _guarded_fields = ("state", "move_ids", "posted_date")

    name = fields.Char(readonly=True, copy=False, default="/")
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    quarter = fields.Selection(
        [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        required=True,
        default=lambda self: str((fields.Date.context_today(self).month - 1) // 3 + 1),
    )
    date_from = fields.Date(string="From", compute="_compute_dates", store=True)
    date_to = fields.Date(string="To", compute="_compute_dates", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("reversed", "Reversed")],
        required=True,
        default="draft",
        copy=False,
        tracking=True,
    )
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    posted_date = fields.Datetime(readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    preview = fields.Html(compute="_compute_preview", sanitize=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    def init(self):
        # a quarter is allocated once: one posted allocation per company and quarter
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS facility_income_allocation_posted_uniq "
            "ON facility_income_allocation (company_id, date_from) WHERE state = 'posted'"
        )

    # -- computes -------------------------------------------------------------------------------

    @api.depends("year", "quarter")
    def _compute_dates(self):
        for rec in self:
            if not (rec.year and rec.quarter):
                rec.date_from = rec.date_to = False
                continue
            try:
                first, last = allocation.quarter_bounds(rec.year, int(rec.quarter))
                rec.date_from = date(*first, 1)
                rec.date_to = date(*last, 1) + relativedelta(months=1, days=-1)
            except ValueError:
                rec.date_from = rec.date_to = False

    @api.depends("date_from", "date_to", "company_id", "state")
    def _compute_preview(self):
        for rec in self:
            if not rec.date_from or not rec.env.user.has_group(BILLING_ADMIN):
                rec.preview = False
                continue
            rows = []
            for unit, income, _share, split in rec._plan():
                cells = [unit.name, _fmt(income)]
                if split:
                    cells += [_fmt(split.platform), _fmt(split.department), _fmt(split.school)]
                else:
                    cells += [self.env._("No shares configured"), "", ""]
                rows.append("".join(f"<td>{c}</td>" for c in cells))
            head = "".join(
                f"<th>{h}</th>"
                for h in (
                    self.env._("Platform"),
                    self.env._("Income (元)"),
                    self.env._("Platform Share (元)"),
                    self.env._("Department Share (元)"),
                    self.env._("School Share (元)"),
                )
            )
            empty = self.env._("No platform income in the quarter.")
            body = "".join(f"<tr>{r}</tr>" for r in rows) or (
                f"<tr><td colspan='5'>{empty}</td></tr>"
            )
            rec.preview = (
                f"<table class='table table-sm'><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>"
            )

    @api.constrains("year")
    def _check_year(self):
        for rec in self:
            if not 2000 <= rec.year <= 2100:
                raise ValidationError(self.env._("The year of an allocation lies in 2000–2100."))

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec.name = self.env._(
                "Allocation %(year)s Q%(quarter)s", year=rec.year, quarter=rec.quarter
            )
        return records

    def write(self, vals):
        """The quarter and company of an allocation are fixed once it is posted (or reversed):
        a posted allocation moved to another quarter would free its own and let it be
        allocated twice."""
        fixed = set(vals) & QUARTER_FIELDS
        if fixed and not self._guard_open():
            done = self.filtered(lambda rec: rec.state != "draft")
            if done:
                raise UserError(
                    self.env._(
                        "%(name)s is posted or reversed: its year, quarter and company no longer "
                        "change.",
                        name=done[0].name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_drafts_only(self):
        if any(rec.state != "draft" for rec in self):
            raise UserError(self.env._("A posted or reversed allocation stays on record."))

    # -- actions --------------------------------------------------------------------------------

    def action_post(self):
        """Post the quarter's entries (one per platform with income)."""
        self._check_admin()
        for rec in self:
            rec._post()
        return True

    def action_reverse(self):
        """Reverse the entries of a posted allocation; the quarter may then be allocated again."""
        self._check_admin()
        for rec in self:
            if rec.state != "posted":
                raise UserError(self.env._("Only a posted allocation can be reversed."))
            moves = rec.sudo().move_ids
            reversals = moves._reverse_moves(
                [
                    {"ref": self.env._("Reversal of %(name)s", name=m.name), "date": m.date}
                    for m in moves
                ],
                cancel=True,
            )
            reversals.sudo().write({"facility_allocation_id": rec.id})
            rec._write_guarded({"state": "reversed", "move_ids": [(4, m.id) for m in reversals]})
        return True

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Entries of %(name)s", name=self.name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
            "context": {"create": False},
        }

    # -- business methods -----------------------------------------------------------------------

    def _check_admin(self):
        if not (self.env.su or self.env.user.has_group(BILLING_ADMIN)):
            raise UserError(
                self.env._("Only the platform system administrator allocates income (拨款).")
            )

    def _platform_incomes(self):
        """``{platform analytic account id: Decimal}``: credits − debits of posted journal items
        on the facility income account in the quarter, per platform analytic account (weighted
        by its share of the distribution), the allocations' own entries left out."""
        self.ensure_one()
        company = self.company_id.sudo()
        account = company.facility_income_account_id
        if not account:
            return {}
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["facility_allocation_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT split.account_id::int, SUM(-aml.balance * dist.value::numeric / 100)
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 CROSS JOIN LATERAL jsonb_each_text(aml.analytic_distribution) dist
                 CROSS JOIN LATERAL unnest(string_to_array(dist.key, ',')) split(account_id)
                 WHERE aml.parent_state = 'posted'
                   AND aml.account_id = %s
                   AND aml.company_id = %s
                   AND aml.date BETWEEN %s AND %s
                   AND move.facility_allocation_id IS NULL
                 GROUP BY 1
                """,
                account.id,
                company.id,
                self.date_from,
                self.date_to,
            )
        )
        return {account_id: to_decimal(amount) for account_id, amount in self.env.cr.fetchall()}

    def _plan(self):
        """``[(platform unit, income, share, split or None)]`` of the quarter, platforms with a
        positive income only, by name."""
        self.ensure_one()
        incomes = self._platform_incomes()
        units = (
            self.env["facility.unit"]
            .sudo()
            .search([("analytic_account_id", "in", list(incomes))], order="name")
        )
        shares = {
            s.unit_id.id: s
            for s in self.env["facility.income.share"]
            .sudo()
            .search([("company_id", "=", self.company_id.id), ("unit_id", "in", units.ids)])
        }
        plan = []
        for unit in units:
            income = round_fen(incomes.get(unit.analytic_account_id.id, Decimal(0)))
            if income <= 0:
                continue
            share = shares.get(unit.id)
            split = allocation.split(income, share._shares()) if share else None
            plan.append((unit, income, share, split))
        return plan

    def _post(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("%(name)s is already posted.", name=self.name))
        company = self.company_id.sudo()
        company._facility_billing_setup()
        accounts = {
            "income": company.facility_income_account_id,
            "platform": company.facility_allocation_platform_account_id,
            "department": company.facility_allocation_department_account_id,
            "school": company.facility_allocation_school_account_id,
        }
        journal = company.facility_billing_journal_id
        missing = [key for key, account in accounts.items() if not account]
        if missing or not journal:
            raise UserError(
                self.env._(
                    "Allocation rule: set the facility journal, income account and the platform, "
                    "department and school share accounts in the settings first."
                )
            )
        plan = self._plan()
        unconfigured = [unit.name for unit, _income, share, _split in plan if not share]
        if unconfigured:
            raise UserError(
                self.env._(
                    "Allocation rule: %(platforms)s have income this quarter but no allocation "
                    "shares: configure them first.",
                    platforms=", ".join(unconfigured),
                )
            )
        if not plan:
            raise UserError(
                self.env._("Allocation rule: no platform has income in %(name)s.", name=self.name)
            )
        vals_list = []
        for unit, income, _share, split in plan:
            analytic = {str(unit.analytic_account_id.id): 100}
            ref = self.env._("%(name)s: %(platform)s", name=self.name, platform=unit.name)
            lines = [
                (accounts["income"], income, 0, analytic),
                (accounts["platform"], 0, split.platform, analytic),
                (accounts["department"], 0, split.department, False),
                (accounts["school"], 0, split.school, False),
            ]
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "date": self.date_to,
                    "ref": ref,
                    "facility_allocation_id": self.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": ref,
                                "account_id": account.id,
                                "debit": float(debit),
                                "credit": float(credit),
                                "analytic_distribution": dist,
                            },
                        )
                        for account, debit, credit, dist in lines
                        if debit or credit
                    ],
                }
            )
        try:
            with self.env.cr.savepoint():
                self._write_guarded({"state": "posted", "posted_date": fields.Datetime.now()})
                self.env.flush_all()
        except IntegrityError:
            raise UserError(
                self.env._(
                    "Allocation rule: the quarter of %(name)s is already allocated.",
                    name=self.name,
                )
            ) from None
        moves = self.env["account.move"].sudo().with_company(company).create(vals_list)
        moves.action_post()
        self._write_guarded({"move_ids": [(6, 0, moves.ids)]})


def _fmt(amount):
    return yuan(amount)
