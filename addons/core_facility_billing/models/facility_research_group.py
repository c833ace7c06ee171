from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.core_facility.models.access import FACILITY_MANAGER, FINANCE, ensure_single
from odoo.addons.core_facility.rules.codes import OPEN_STATES as BOOKING_OPEN_STATES
from odoo.addons.core_facility.rules.codes import BookingState, ServiceStep

from ..rules import prepaid
from ..rules.codes import UNSETTLED_STATES, BillingMode
from ..rules.money import round_fen, to_decimal
from ..rules.yuan import yuan

# Billing fields of a group that finance (and the facility manager) set.
FINANCE_FIELDS = {"billing_mode", "credit_limit"}
# Bookings whose cost is still to come (not yet charged): requested, confirmed, in use.
PENDING_BOOKING_STATES = (*BOOKING_OPEN_STATES, BookingState.IN_USE)
# Service orders whose charges are final or void.
CLOSED_ORDER_STEPS = (ServiceStep.CLOSED, ServiceStep.CANCELLED)


class FacilityResearchGroup(models.Model):
    _inherit = "facility.research.group"

    billing_mode = fields.Selection(
        [
            (BillingMode.FUNDS, "Research Funds (Monthly)"),
            (BillingMode.INVOICE, "Invoice"),
            (BillingMode.PREPAID, "Prepaid Account"),
        ],
        compute="_compute_billing_mode",
        store=True,
        readonly=False,
        tracking=True,
        help="Internal groups are charged to their research funds each month; external groups "
        "are invoiced or pay from a prepaid account.",
    )
    fund_ids = fields.One2many(
        "account.analytic.account", "facility_research_group_id", string="Research Funds"
    )
    default_fund_id = fields.Many2one(
        "account.analytic.account",
        domain="[('facility_research_group_id', '=', id)]",
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(
        tracking=True,
        help="How far a prepaid group may go below zero; empty: the company's default.",
    )
    available_balance = fields.Monetary(
        compute="_compute_available_balance",
        help="Deposits − invoiced charges − unsettled charges, from accounting: the customer's "
        "receivable balance (posted invoices and deposits) less the charge lines not yet "
        "settled nor invoiced.",
    )
    deposit_count = fields.Integer(string="Deposits", compute="_compute_deposit_count")
    arrears_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_arrears_count",
        help="Posted invoices of the group's billing partner past their due date and not paid.",
    )

    def init(self):
        res = super().init()
        # One row per prepaid group: every check against its balance bumps it, so that two
        # transactions spending the same balance at once cannot both pass (the later one fails
        # to serialise and is retried, then sees the first's booking).
        self.env.cr.execute(
            "CREATE TABLE IF NOT EXISTS facility_billing_balance_counter ("
            " research_group_id integer PRIMARY KEY"
            " REFERENCES facility_research_group(id) ON DELETE CASCADE,"
            " bumps integer NOT NULL DEFAULT 1)"
        )
        return res

    # -- computes -------------------------------------------------------------------------------

    def _compute_billing_mode(self):
        for group in self:
            if not group.billing_mode:
                group.billing_mode = (
                    BillingMode.FUNDS if group.category == "internal" else BillingMode.INVOICE
                )

    def _compute_available_balance(self):
        balances = self._facility_available_balances()
        for group in self:
            group.available_balance = float(balances.get(group.id, 0))

    def _compute_deposit_count(self):
        counts = defaultdict(int)
        domain = self._facility_deposit_domain()
        if domain:
            partner_groups = self._facility_partner_groups()
            rows = (
                self.env["account.payment"].sudo()._read_group(domain, ["partner_id"], ["__count"])
            )
            for partner, count in rows:
                for group in partner_groups.get(partner.commercial_partner_id.id, ()):
                    counts[group.id] += count
        for group in self:
            group.deposit_count = counts[group.id]

    def _compute_arrears_count(self):
        overdue = self.env["account.move"].sudo()._facility_overdue_invoices(self)
        for group in self:
            group.arrears_count = len(overdue.get(group.id, ()))

    # -- CRUD -----------------------------------------------------------------------------------

    def _check_update(self, vals):
        """Billing mode and credit limit: finance or a facility manager (core_facility leaves
        every field it does not know to the facility manager)."""
        billing = set(vals) & FINANCE_FIELDS
        if billing and not self.env.su:
            user = self.env.user
            if not (user.has_group(FINANCE) or user.has_group(FACILITY_MANAGER)):
                raise UserError(
                    self.env._(
                        "Billing rule: only finance or a facility manager can change the billing "
                        "mode or credit limit of %(groups)s.",
                        groups=", ".join(self.mapped("name")),
                    )
                )
            vals = {key: value for key, value in vals.items() if key not in billing}
        return super()._check_update(vals)

    # -- actions --------------------------------------------------------------------------------

    def action_register_deposit(self):
        """Finance records a deposit (a customer payment) for the group's billing partner."""
        ensure_single(self)
        if not self.env.user.has_group(FINANCE):
            raise UserError(self.env._("Only finance records deposits."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register Deposit"),
            "res_model": "facility.deposit.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_research_group_id": self.id},
        }

    def action_view_deposits(self):
        """The deposits (customer payments) of the group's billing partner."""
        ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_payments")
        action["domain"] = self._facility_deposit_domain() or [("id", "=", 0)]
        action["context"] = {
            "default_payment_type": "inbound",
            "default_partner_type": "customer",
            "default_partner_id": self.partner_id.id,
            "create": False,
        }
        return action

    def action_view_ledger(self):
        """The receivable journal items of the group's billing partner (its ledger)."""
        ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ledger of %(partner)s", partner=self.partner_id.display_name),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": self._facility_receivable_domain() or [("id", "=", 0)],
            "context": {"search_default_group_by_move": 0, "create": False},
        }

    def action_view_arrears(self):
        ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.account_move_arrears_action"
        )
        overdue = self.env["account.move"].sudo()._facility_overdue_invoices(self)
        action["domain"] = [("id", "in", [m.id for m in overdue.get(self.id, ())])]
        return action

    # -- public questions -----------------------------------------------------------------------

    def _facility_prepaid_problem(self, estimate, exclude=None):
        """Why a use estimated at ``estimate`` (元) cannot be made by this group, as a translated
        sentence with the figures, or ``False``. Prepaid groups only; the booking and service
        checks ask it before a use is made.

        The use must fit in the available balance plus the credit limit (the group's, else the
        company's default) less the estimated cost of the group's other open bookings and
        service orders not yet charged (otherwise ten 300 元 bookings would each pass on a 300 元
        balance); exactly equal is allowed. ``exclude``: the booking or order being checked, when
        it is already saved (not to count it twice).

        The check is serialised per group: it bumps the group's balance counter, so that two
        transactions spending the last balance at once cannot both pass (the later one fails to
        serialise and is retried, then sees the first's booking)."""
        self.ensure_one()
        group = self.sudo()
        if group.billing_mode != BillingMode.PREPAID:
            return False
        group._facility_lock_balance()
        headroom = group._facility_headroom(exclude=exclude)
        estimate = round_fen(estimate or 0)
        if not prepaid.exceeds(estimate, headroom):
            return False
        return self.env._(
            "Prepaid account rule: the use is estimated at %(estimate)s 元, the available balance "
            "of %(group)s is %(available)s 元 (credit limit %(credit)s 元) and its other open "
            "bookings and orders not yet charged are estimated at %(pending)s 元; a deposit of at "
            "least %(missing)s 元 is needed first.",
            estimate=yuan(estimate),
            group=group.name,
            available=yuan(headroom.available),
            credit=yuan(headroom.credit_limit),
            pending=yuan(headroom.pending),
            missing=yuan(estimate - headroom.left),
        )

    def _facility_arrears_problem(self, today=None):
        """Why this group cannot book because of overdue invoices (a translated sentence naming
        the invoices and the amount due), or ``False``: an invoice of its billing partner unpaid
        more than the company's "fees overdue after" days past its due date blocks booking until
        it is paid."""
        self.ensure_one()
        group = self.sudo()
        moves = self.env["account.move"].sudo()
        blocking = moves._facility_overdue_invoices(group, today=today, blocking=True)
        invoices = blocking.get(group.id)
        if not invoices:
            return False
        days = (group.company_id or self.env.company).facility_fee_overdue_days
        amount = sum((to_decimal(m.amount_residual) for m in invoices), Decimal(0))
        return self.env._(
            "Arrears rule: %(group)s has invoices unpaid more than %(days)s days after their due "
            "date (%(invoices)s, %(amount)s 元 due); booking is blocked until they are paid.",
            group=group.name,
            days=days,
            invoices=", ".join(m.name for m in invoices),
            amount=yuan(amount),
        )

    def _facility_default_fund(self, fund):
        """The fund a use of this group is charged to: ``fund`` when it is one of the group's,
        else the group's default fund (bookings and service orders default theirs with it)."""
        self.ensure_one()
        group = self.sudo()
        return fund if fund.sudo().facility_research_group_id == group else group.default_fund_id

    def _facility_check_fund(self, fund):
        """Refuse ``fund`` when it is not one of this group's funds."""
        self.ensure_one()
        fund = fund.sudo()
        if fund and fund.facility_research_group_id != self:
            raise ValidationError(
                self.env._(
                    "Fund %(fund)s is not a fund of %(group)s.",
                    fund=fund.display_name,
                    group=self.sudo().name,
                )
            )

    def _facility_payment_problems(self, fund, day, estimate, exclude=None):
        """Why this group cannot pay for a use estimated at ``estimate`` on ``day`` from ``fund``
        (default: the group's fund), as translated sentences: the fund is not valid that day,
        the group is in arrears, its prepaid balance does not cover the use (``exclude``: the
        booking or order being checked). The booking and service order checks ask it."""
        self.ensure_one()
        group = self.sudo()
        problems = []
        fund = (fund or group.default_fund_id).sudo()
        if fund and (problem := fund._facility_fund_problem(day)):
            problems.append(problem)
        if problem := group._facility_arrears_problem():
            problems.append(problem)
        if problem := group._facility_prepaid_problem(estimate, exclude=exclude):
            problems.append(problem)
        return problems

    # -- business methods -----------------------------------------------------------------------

    def _facility_lock_balance(self):
        """Bump the balance counters of these groups (see :meth:`_facility_prepaid_problem`)."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO facility_billing_balance_counter (research_group_id) VALUES %s "
                "ON CONFLICT (research_group_id) DO UPDATE "
                "SET bumps = facility_billing_balance_counter.bumps + 1",
                SQL(", ").join(SQL("(%s)", gid) for gid in sorted(self.ids)),
            )
        )

    def _facility_headroom(self, exclude=None):
        """The group's :class:`~..rules.prepaid.Headroom`: available balance, credit limit and
        the estimated cost of its open uses not yet charged."""
        self.ensure_one()
        group = self.sudo()
        company = group.company_id or self.env.company
        credit = group.credit_limit or company.facility_credit_limit
        return prepaid.Headroom(
            available=group._facility_available_balances()[group.id],
            credit_limit=round_fen(credit or 0),
            pending=group._facility_pending_estimate(exclude=exclude),
        )

    def _facility_pending_estimate(self, exclude=None):
        """Estimated cost (元) of the group's open bookings (requested, confirmed, in use) and
        open service orders that have no charge line yet, ``exclude`` left out."""
        self.ensure_one()
        env = self.sudo().env
        bookings = env["facility.booking"].search(
            [
                ("research_group_id", "=", self.id),
                ("state", "in", PENDING_BOOKING_STATES),
                ("charge_ids", "=", False),
            ]
        )
        orders = env["facility.service.order"].search(
            [
                ("research_group_id", "=", self.id),
                ("state", "not in", CLOSED_ORDER_STEPS),
                ("charge_ids", "=", False),
            ]
        )
        if exclude:
            bookings -= exclude.sudo() if exclude._name == "facility.booking" else bookings.browse()
            orders -= (
                exclude.sudo() if exclude._name == "facility.service.order" else orders.browse()
            )
        amounts = bookings.mapped("estimated_amount") + orders.mapped("estimated_amount")
        return round_fen(sum((to_decimal(a) for a in amounts), Decimal(0)))

    def _facility_partner_groups(self):
        """``{commercial partner id: groups}`` of these groups' billing partners."""
        result = defaultdict(lambda: self.browse())
        for group in self.sudo():
            if group.partner_id:
                result[group.partner_id.commercial_partner_id.id] |= group
        return result

    def _facility_partner_ids(self):
        """Ids of the billing partners of these groups and their contacts (journal items carry
        the commercial partner, payments the partner they were made for)."""
        commercial = list(self._facility_partner_groups())
        if not commercial:
            return []
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", commercial)])
            .ids
        )

    def _facility_receivable_domain(self):
        partner_ids = self._facility_partner_ids()
        if not partner_ids:
            return []
        return [
            ("partner_id", "in", partner_ids),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("company_id", "in", self.sudo().company_id.ids or self.env.company.ids),
        ]

    def _facility_deposit_domain(self):
        partner_ids = self._facility_partner_ids()
        if not partner_ids:
            return []
        return [
            ("partner_id", "in", partner_ids),
            ("payment_type", "=", "inbound"),
            ("partner_type", "=", "customer"),
            ("state", "in", ("in_process", "paid")),
            ("company_id", "in", self.sudo().company_id.ids or self.env.company.ids),
        ]

    def _facility_available_balances(self):
        """``{group id: Decimal}``: deposits − invoiced − unsettled charges of these groups, from
        accounting (two grouped queries). Groups sharing a billing partner (the same commercial
        partner) share its balance: each is given the partner's receivable less the unsettled
        lines of every group of that partner, not only its own."""
        groups = self.sudo()
        receivable = defaultdict(Decimal)
        domain = groups._facility_receivable_domain()
        if domain:
            rows = (
                self.env["account.move.line"]
                .sudo()
                ._read_group(domain, ["partner_id"], ["balance:sum"])
            )
            for partner, balance in rows:
                receivable[partner.commercial_partner_id.id] += to_decimal(balance or 0)
        # every group paid by the same commercial partners, these groups or not
        commercial_ids = list(groups._facility_partner_groups())
        payers = groups
        if commercial_ids:
            payers |= groups.with_context(active_test=False).search(
                [("partner_id.commercial_partner_id", "in", commercial_ids)]
            )
        unsettled = defaultdict(Decimal)  # per commercial partner id, or per group without one
        rows = (
            self.env["facility.charge"]
            .sudo()
            ._read_group(
                [
                    ("research_group_id", "in", payers.ids),
                    ("state", "in", list(UNSETTLED_STATES)),
                    ("invoice_id", "=", False),
                ],
                ["research_group_id"],
                ["amount:sum"],
            )
        )
        for group, amount in rows:
            unsettled[_payer_key(group)] += to_decimal(amount or 0)
        result = {}
        for group in groups:
            commercial = group.partner_id.commercial_partner_id.id
            balance = receivable[commercial] if commercial else Decimal(0)
            result[group.id] = prepaid.available_balance(balance, unsettled[_payer_key(group)])
        return result

    @api.model
    def _cron_facility_arrears(self, today=None):
        """Daily: each invoice of a group unpaid more than the company's "fees overdue after" days
        past its due date records an integrity violation ("unpaid fees") against the group, once
        per invoice (keyed ``invoice:<id>``), with its PI as the person."""
        today = today or fields.Date.context_today(self)
        groups = self.sudo().search([("partner_id", "!=", False)])
        blocking = (
            self.env["account.move"]
            .sudo()
            ._facility_overdue_invoices(groups, today=today, blocking=True)
        )
        Violation = self.env["facility.violation"].sudo()
        for group in groups:
            for move in blocking.get(group.id, ()):
                Violation.record_violation(
                    group,
                    group.pi_id,
                    "unpaid_fees",
                    when=fields.Datetime.now(),
                    description=self.env._(
                        "Invoice %(invoice)s unpaid, %(amount)s 元 due since %(due)s.",
                        invoice=move.name,
                        amount=yuan(move.amount_residual),
                        due=move.invoice_date_due,
                    ),
                    source_key=f"invoice:{move.id}",
                )
        return True


def _payer_key(group):
    """Whose balance a group's lines are taken from: its billing partner's commercial partner,
    or the group itself when it has no billing partner."""
    commercial = group.partner_id.commercial_partner_id
    return ("partner", commercial.id) if commercial else ("group", group.id)
