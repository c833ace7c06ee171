import logging
from collections import defaultdict
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.core_facility.models.access import ensure_single

from ..rules import settlement as rules
from ..rules.codes import (
    BillingMode,
    ChargeState,
    InvoiceGrouping,
    PayerCategory,
    SettlementKind,
    SettlementState,
)
from ..rules.money import round_fen

FINANCE = "core_facility.group_facility_finance"
# payer categories settled from research funds; their lines need a fund
FUND_CATEGORIES = (PayerCategory.INTERNAL, PayerCategory.COLLABORATION, PayerCategory.TEACHING)
CHARGE_WRITTEN = ("state", "settlement_id", "move_id", "invoice_id")
# what a run is of: fixed once it is posted (a correction goes through a reversal)
RUN_FIELDS = ("kind", "date_from", "date_to", "origin", "company_id")

_logger = logging.getLogger(__name__)


class FacilitySettlement(models.Model):
    """A settlement run (结算): for a period and company, every confirmed line not yet settled —
    internal lines posted per fund as one journal entry summarised per instrument, external
    lines invoiced — or one booking or service settled at once (单笔结算). Posted once: running
    it again posts nothing twice; a correction goes through a reversal entry."""

    _name = "facility.settlement"
    _description = "Settlement Run"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date_to desc, id desc"
    _guarded_fields = ("state", "move_ids", "posted_date", "posted_by_id")

    name = fields.Char(readonly=True, copy=False, default="/")
    kind = fields.Selection(
        [
            (SettlementKind.PERIOD, "Periodic (Internal)"),
            (SettlementKind.SINGLE, "Single (Internal)"),
            (SettlementKind.INVOICE, "Invoices (External)"),
        ],
        required=True,
        default=SettlementKind.PERIOD,
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(
        [
            (SettlementState.DRAFT, "Draft"),
            (SettlementState.POSTED, "Posted"),
            (SettlementState.REVERSED, "Reversed"),
        ],
        required=True,
        default=SettlementState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
    )
    origin = fields.Char(
        readonly=True,
        copy=False,
        help="The booking or service order a single settlement settled (单笔结算).",
    )
    charge_ids = fields.One2many("facility.charge", "settlement_id", string="Charge Lines")
    charge_count = fields.Integer(string="Lines", compute="_compute_counts")
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    move_count = fields.Integer(string="Entries Count", compute="_compute_counts")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True)
    posted_date = fields.Datetime(readonly=True, copy=False)
    posted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    def init(self):
        # a period is settled once per kind and company (a reversed run frees it)
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS facility_settlement_period_uniq "
            "ON facility_settlement (company_id, kind, date_from, date_to) "
            "WHERE origin IS NULL AND state <> 'reversed'"
        )

    @api.depends("charge_ids.amount")
    def _compute_amount_total(self):
        for settlement in self:
            settlement.amount_total = sum(settlement.charge_ids.mapped("amount"))

    def _compute_counts(self):
        charges = dict(
            self.env["facility.charge"]._read_group(
                [("settlement_id", "in", self.ids)], ["settlement_id"], ["__count"]
            )
        )
        for settlement in self:
            settlement.charge_count = charges.get(settlement, 0)
            settlement.move_count = len(settlement.move_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("facility.settlement")
        return super().create(vals_list)

    def write(self, vals):
        fixed = set(vals) & set(RUN_FIELDS)
        if fixed and any(run.state != SettlementState.DRAFT for run in self):
            raise UserError(
                self.env._(
                    "%(fields)s of a posted or reversed settlement cannot change: reverse it and "
                    "settle the period again.",
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in fixed)
                    ),
                )
            )
        return super().write(vals)

    # -- actions ---------------------------------------------------------------------------------

    def action_view_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settled Lines"),
            "res_model": "facility.charge",
            "view_mode": "list,form,pivot",
            "domain": [("settlement_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
            "context": {"create": False},
        }

    def action_reverse(self):
        """Reverse every entry and invoice of the run that is not reversed yet: the lines go
        back to confirmed, to be corrected and settled again; entries are never edited."""
        self._check_can_settle()
        for settlement in self:
            if settlement.state != SettlementState.POSTED:
                raise UserError(
                    self.env._(
                        "Settlement %(name)s is not posted: there is nothing to reverse.",
                        name=settlement.name,
                    )
                )
            moves = settlement.move_ids.filtered(
                lambda m: m.state == "posted" and not m._facility_posted_reversals()
            )
            if moves:
                moves._reverse_moves(
                    [
                        {
                            "date": fields.Date.context_today(self),
                            "ref": self.env._("Reversal of %(entry)s", entry=move.name),
                        }
                        for move in moves
                    ],
                    cancel=True,
                )
            settlement._update_reversed_state()
        return True

    # -- public API ------------------------------------------------------------------------------

    @api.model
    def settle_period(self, company, date_from, date_to, kind=SettlementKind.PERIOD):
        """Settle ``company``'s confirmed lines of the period: internal lines (``kind`` period)
        posted per fund, or external lines (``kind`` invoice) invoiced. Finance only. Running it
        twice posts nothing twice. Returns the run (empty when nothing was left to settle).
        Over RPC: ``company`` may be an id and the dates ISO strings."""
        self._check_can_settle()
        if isinstance(company, int):
            company = self.env["res.company"].browse(company)
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        if kind not in (SettlementKind.PERIOD, SettlementKind.INVOICE):
            raise UserError(self.env._("A period is settled internally or by invoices."))
        if not (company and company.exists() and date_from and date_to):
            raise UserError(self.env._("Give the company and the period to settle."))
        company = company.sudo()._facility_billing_accounts().with_env(self.env)
        where = SQL(
            "c.company_id = %s AND c.date BETWEEN %s AND %s", company.id, date_from, date_to
        )
        return self._settle(
            where,
            "external" if kind == SettlementKind.INVOICE else "internal",
            lambda: self._open_run(company, kind, date_from, date_to),
            date_to if kind != SettlementKind.INVOICE else None,
        )

    @api.model
    def _settle_origin(self, origin):
        """Single settlement (单笔结算) of one booking or service order: its confirmed internal
        lines posted per fund, its external lines invoiced, at once. Finance only. Returns the
        runs made (one per kind)."""
        ensure_single(origin)
        self._check_can_settle()
        column = "booking_id" if origin._name == "facility.booking" else "service_order_id"
        company = (origin.company_id or self.env.company).sudo()._facility_billing_accounts()
        company = company.with_env(self.env)
        where = SQL("c.%s = %s", SQL.identifier(column), origin.id)
        today = fields.Date.context_today(self)
        settlements = self.browse()
        for kind, category in (
            (SettlementKind.SINGLE, "internal"),
            (SettlementKind.INVOICE, "external"),
        ):
            vals = {
                "kind": kind,
                "date_from": today,
                "date_to": today,
                "company_id": company.id,
                "origin": origin.display_name,
            }
            settlements |= self._settle(where, category, lambda v=vals: self.create(v), today)
        if not settlements:
            raise UserError(
                self.env._(
                    "%(origin)s has no confirmed line to settle.", origin=origin.display_name
                )
            )
        return settlements

    @api.model
    def _pending_summary(self, company, date_from, date_to, category="internal", where=None):
        """What a run would settle today: ``{"count", "amount", "without_fund"}`` (lines), and
        ``"in_dispute"``: the lines it leaves because their dispute window is still open."""
        company = company.sudo()
        where = where or SQL(
            "c.company_id = %s AND c.date BETWEEN %s AND %s", company.id, date_from, date_to
        )
        today = fields.Date.context_today(self)
        self.env["facility.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FILTER (WHERE %(due)s), "
                "coalesce(sum(c.amount) FILTER (WHERE %(due)s), 0), "
                "count(*) FILTER (WHERE %(due)s AND c.fund_id IS NULL AND c.payer_category IN "
                "%(categories)s), count(*) FILTER (WHERE NOT %(due)s) "
                "FROM facility_charge c WHERE %(where)s AND %(pending)s",
                due=self._dispute_closed(today),
                categories=FUND_CATEGORIES,
                where=where,
                pending=self._pending_condition(category),
            )
        )
        count, amount, without_fund, in_dispute = self.env.cr.fetchone()
        return {
            "count": count,
            "amount": float(amount),
            "without_fund": without_fund,
            "in_dispute": in_dispute,
        }

    # -- business logic --------------------------------------------------------------------------

    def _check_can_settle(self):
        if not (self.env.su or self.env.user.has_group(FINANCE)):
            raise AccessError(self.env._("Only finance staff settle charges."))

    def _check_currency(self):
        """Settlements post in the company's currency, and their amounts are yuan: refuse a
        company that keeps its accounts in another currency."""
        company = self.company_id.sudo()
        if company.currency_id.name != "CNY":
            raise UserError(
                self.env._(
                    "%(company)s keeps its accounts in %(currency)s, but facility charges are in "
                    "yuan (元): set the company's currency to CNY (Settings → Companies) before "
                    "settling.",
                    company=company.name,
                    currency=company.currency_id.name,
                )
            )

    @api.model
    def _open_run(self, company, kind, date_from, date_to):
        """The run of this period (not reversed), or a new one. Made by ``INSERT … ON CONFLICT
        DO NOTHING`` on the period's unique key: a run another transaction has just made is
        found (or, when this transaction started before it was committed, PostgreSQL fails to
        serialise and the request is retried), never a unique violation."""
        domain = [
            ("company_id", "=", company.id),
            ("kind", "=", kind),
            ("date_from", "=", date_from),
            ("date_to", "=", date_to),
            ("origin", "=", False),
            ("state", "!=", SettlementState.REVERSED),
        ]
        settlement = self.search(domain, limit=1)
        if settlement:
            return settlement
        self.flush_model()
        name = self.env["ir.sequence"].sudo().next_by_code("facility.settlement") or "/"
        self.env.cr.execute(
            SQL(
                "INSERT INTO facility_settlement (name, kind, date_from, date_to, company_id, "
                "state, amount_total, create_uid, write_uid, create_date, write_date) "
                "VALUES (%s, %s, %s, %s, %s, %s, 0, %s, %s, now() at time zone 'UTC', "
                "now() at time zone 'UTC') "
                "ON CONFLICT (company_id, kind, date_from, date_to) "
                "WHERE origin IS NULL AND state <> 'reversed' DO NOTHING RETURNING id",
                name,
                kind,
                date_from,
                date_to,
                company.id,
                SettlementState.DRAFT,
                self.env.uid,
                self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.search(domain, limit=1)

    @api.model
    def _pending_condition(self, category):
        """Lines a run takes: confirmed, not settled, non-zero, of the category."""
        categories = FUND_CATEGORIES if category == "internal" else (PayerCategory.EXTERNAL,)
        return SQL(
            "c.state = %s AND c.settlement_id IS NULL AND c.amount <> 0 AND c.payer_category IN %s",
            ChargeState.CONFIRMED,
            tuple(categories),
        )

    @api.model
    def _dispute_closed(self, today):
        """Lines whose dispute window is over on ``today`` (the run's day): a line may be
        disputed until its deadline included, so it is settled from the day after."""
        return SQL("(c.dispute_deadline IS NULL OR c.dispute_deadline < %s)", today)

    @api.model
    def _settle(self, where, category, make_run, day):
        """Lock the pending lines of ``where``, post them (entries or invoices) in the run
        ``make_run()`` gives and mark them settled. The lines are locked first: a concurrent run
        of the same lines waits, then fails to serialise (and is retried, finding them settled).
        Returns the run, or an empty recordset when nothing was pending."""
        self.env.flush_all()
        condition = SQL(
            "%s AND %s AND %s",
            where,
            self._pending_condition(category),
            self._dispute_closed(fields.Date.context_today(self)),
        )
        if category == "internal":
            groups = self._lock_internal(condition)
            if not groups:
                return self.browse()
            posted, held = self._split_internal(groups)
            if not posted:
                raise UserError(self._held_message(held, nothing=True))
            run = make_run()
            run._check_currency()
            moves = run._post_entries(posted, day or run.date_to)
        else:
            rows = self._lock_external(condition)
            if not rows:
                return self.browse()
            posted, held = self._split_external(rows)
            if not posted:
                raise UserError(self._held_message(held, nothing=True))
            run = make_run()
            run._check_currency()
            moves = run._post_invoices(posted, day)
        if held:
            run.message_post(body=self._held_message(held))
        run._write_guarded(
            {
                "state": SettlementState.POSTED,
                "move_ids": [Command.link(move.id) for move in moves],
                "posted_date": fields.Datetime.now(),
                "posted_by_id": self.env.uid,
            }
        )
        return run

    @api.model
    def _lock_internal(self, condition):
        """Lock the pending internal lines and sum them per fund, instrument and service type
        in one statement: ``[(fund, instrument, service type, amount, line ids)]``; refuses when
        some have no fund."""
        self.env.cr.execute(
            SQL(
                "WITH locked AS (SELECT c.id, c.fund_id, c.instrument_id, c.service_type_id, "
                "c.amount FROM facility_charge c WHERE %s FOR UPDATE) "
                "SELECT fund_id, instrument_id, service_type_id, sum(amount), array_agg(id) "
                "FROM locked GROUP BY fund_id, instrument_id, service_type_id",
                condition,
            )
        )
        groups = self.env.cr.fetchall()
        without_fund = sum(len(ids) for fund, _i, _s, _a, ids in groups if not fund)
        if without_fund:
            raise UserError(
                self.env._(
                    "%(count)s confirmed internal lines have no research fund: give them a fund "
                    "(or correct them) before settling.",
                    count=without_fund,
                )
            )
        return groups

    @api.model
    def _lock_external(self, condition):
        """Lock the pending external lines: ``[(id, group, partner, booking, service order,
        date, instrument, service type, amount, quantity)]``; refuses when a group has no
        billing partner."""
        self.env.cr.execute(
            SQL(
                "SELECT c.id, c.research_group_id, coalesce(g.partner_id, c.partner_id), "
                "c.booking_id, c.service_order_id, c.date, c.instrument_id, c.service_type_id, "
                "c.amount, c.quantity "
                "FROM facility_charge c JOIN facility_research_group g "
                "ON g.id = c.research_group_id WHERE %s ORDER BY c.date, c.id FOR UPDATE OF c",
                condition,
            )
        )
        rows = self.env.cr.fetchall()
        no_partner = [row for row in rows if not row[2]]
        if no_partner:
            groups = self.env["facility.research.group"].sudo().browse({r[1] for r in no_partner})
            raise UserError(
                self.env._(
                    "%(count)s external lines cannot be invoiced: %(groups)s have no billing "
                    "partner.",
                    count=len(no_partner),
                    groups=", ".join(groups.mapped("name")),
                )
            )
        return rows

    def _post_entries(self, groups, day):
        """Per fund one entry in the facility journal, one debit/credit pair per instrument
        (or service type); the lines marked settled with their fund's entry."""
        entries = rules.summarise(
            (fund, (instrument, service), amount)
            for fund, instrument, service, amount, _ids in groups
        )
        moves = self._create_entries(entries, day)
        move_of_fund = dict(zip(entries, moves.ids, strict=True))
        values = [
            (line_id, move_of_fund[fund])
            for fund, _instrument, _service, _amount, ids in groups
            for line_id in ids
        ]
        self._mark_settled([line_id for line_id, _m in values], values, "move_id", "id")
        return moves

    @api.model
    def _split_internal(self, groups):
        """The groups an entry carries, and the lines left confirmed: those of a fund and
        instrument (or service) whose lines sum to zero — no entry would record them. Returns
        ``(groups, [(label, line ids, amount)])``."""
        items = rules.posted_items(
            rules.summarise(
                (fund, (instrument, service), amount)
                for fund, instrument, service, amount, _ids in groups
            )
        )
        posted = [g for g in groups if (g[0], (g[1], g[2])) in items]
        funds = self.env["account.analytic.account"].sudo()
        held = [
            (funds.browse(g[0])._facility_fund_label(), g[4], g[3])
            for g in groups
            if (g[0], (g[1], g[2])) not in items
        ]
        return posted, held

    @api.model
    def _split_external(self, rows):
        """The external lines invoiced, and those left confirmed: a research group's lines that
        sum to zero or less make no invoice. Returns ``(rows, [(label, line ids, amount)])``."""
        totals = defaultdict(Decimal)
        for row in rows:
            totals[row[1]] += round_fen(row[8])
        held_groups = {group for group, amount in totals.items() if not rules.invoiceable(amount)}
        groups = self.env["facility.research.group"].sudo()
        held = [
            (
                groups.browse(group).name,
                [row[0] for row in rows if row[1] == group],
                totals[group],
            )
            for group in held_groups
        ]
        return [row for row in rows if row[1] not in held_groups], held

    @api.model
    def _held_message(self, held, nothing=False):
        """What a run left confirmed (zero or negative sums), line by line for finance."""
        details = "; ".join(
            self.env._(
                "%(payer)s: %(count)s lines, %(amount)s 元",
                payer=label,
                count=len(ids),
                amount=format(round_fen(amount), ".2f"),
            )
            for label, ids, amount in held
        )
        if nothing:
            return self.env._(
                "Nothing settled: the confirmed lines sum to zero or less (%(details)s). Correct "
                "or cancel them, then settle again.",
                details=details,
            )
        return self.env._(
            "Left confirmed, their lines sum to zero or less (%(details)s): correct or cancel "
            "them, then settle again.",
            details=details,
        )

    def _create_entries(self, entries, day):
        company = self.company_id.sudo()
        journal = company.facility_billing_journal_id
        debit_account = company.facility_internal_charge_account_id
        credit_account = company.facility_income_account_id
        funds = self.env["account.analytic.account"].sudo().browse(list(entries))
        labels = self._item_labels(
            {line.instrument_id for lines in entries.values() for line in lines}
        )
        vals_list = []
        for fund in funds:
            line_vals = []
            for line in entries[fund.id]:
                name, platform = labels[line.instrument_id]
                line_vals += [
                    Command.create(
                        {
                            "name": name,
                            "account_id": debit_account.id,
                            "debit": float(line.debit),
                            "credit": float(line.credit),
                            "analytic_distribution": {str(fund.id): 100},
                        }
                    ),
                    Command.create(
                        {
                            "name": name,
                            "account_id": credit_account.id,
                            "debit": float(line.credit),
                            "credit": float(line.debit),
                            "analytic_distribution": {str(platform): 100} if platform else False,
                        }
                    ),
                ]
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": day,
                    "ref": f"{self.name} {fund._facility_fund_label()}",
                    "facility_settlement_id": self.id,
                    "line_ids": line_vals,
                }
            )
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        return moves

    def _item_labels(self, keys):
        """``{(instrument_id, service_type_id): (label, platform analytic account id)}``."""
        instruments = self.env["facility.instrument"].sudo().browse({i for i, _s in keys if i})
        services = self.env["facility.service.type"].sudo().browse({s for _i, s in keys if s})
        platforms = {}
        for unit in instruments.unit_id | services.instrument_ids.unit_id:
            platforms[unit.id] = unit._facility_analytic_account().id
        labels = {}
        for instrument_id, service_id in keys:
            if instrument_id:
                record = instruments.browse(instrument_id)
                unit = record.unit_id
            elif service_id:
                record = services.browse(service_id)
                unit = record.instrument_ids.unit_id[:1]
            else:
                labels[(instrument_id, service_id)] = (self.env._("Other charges"), False)
                continue
            labels[(instrument_id, service_id)] = (record.name, platforms.get(unit.id))
        return labels

    def _post_invoices(self, rows, day):
        """Customer invoices of the external lines: one per order or per group and month (the
        company's grouping), one line per instrument or service; the lines marked settled with
        their invoice. Returns the posted invoices."""
        grouping = self.company_id.facility_invoice_grouping
        invoices = defaultdict(lambda: defaultdict(list))  # key -> item -> rows
        partner_of = {}
        for row in rows:
            line_id, group_id, partner_id, booking_id, order_id, date = row[:6]
            origin = f"booking:{booking_id}" if booking_id else f"service:{order_id or line_id}"
            if grouping == InvoiceGrouping.PER_MONTH:
                origin = None
            key = rules.invoice_key(grouping, group_id, origin, date)
            partner_of[key] = partner_id
            invoices[key][(row[6], row[7])].append(row)
        labels = self._item_labels({item for items in invoices.values() for item in items})
        income = self.company_id.sudo().facility_income_account_id
        vals_list, line_ids_of = [], []
        for key, items in invoices.items():
            line_vals = []
            for item, item_rows in items.items():
                name, platform = labels[item]
                amount = rules.entry_total(
                    rules.EntryLine(item, round_fen(r[8])) for r in item_rows
                )
                quantity = sum(r[9] or 0.0 for r in item_rows)
                line_vals.append(
                    Command.create(
                        {
                            "name": self.env._(
                                "%(item)s: %(count)s lines, quantity %(quantity)s",
                                item=name,
                                count=len(item_rows),
                                quantity=round(quantity, 2),
                            ),
                            "account_id": income.id,
                            "quantity": 1,
                            "price_unit": float(amount),
                            # facility fees are invoiced as charged: no default tax of the account
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": {str(platform): 100} if platform else False,
                        }
                    )
                )
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_of[key],
                    "invoice_date": day or max(r[5] for rows_ in items.values() for r in rows_),
                    "invoice_origin": f"{self.name} {key[1]}",
                    "facility_settlement_id": self.id,
                    "invoice_line_ids": line_vals,
                }
            )
            line_ids_of.append([r[0] for rows_ in items.values() for r in rows_])
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        values = [
            (line_id, move.id)
            for move, ids in zip(moves, line_ids_of, strict=True)
            for line_id in ids
        ]
        self._mark_settled([r[0] for r in rows], values, "invoice_id", "id")
        groups = self.env["facility.research.group"].sudo()
        for move, key in zip(moves, invoices, strict=True):
            if groups.browse(key[0]).billing_mode == BillingMode.PREPAID:
                move._facility_pay_from_deposits()
        return moves

    def _mark_settled(self, line_ids, values, move_column, key_column):
        """Mark the locked lines settled by this run in one UPDATE; ``values``: (key, move id)
        pairs, ``key_column`` the line's column they match (its fund or its id)."""
        charges = self.env["facility.charge"].browse(line_ids)
        charges.check_access("write")
        self.env.cr.execute(
            SQL(
                "UPDATE facility_charge c SET state = %s, settlement_id = %s, %s = v.move_id, "
                "write_uid = %s, write_date = now() at time zone 'UTC' "
                "FROM (VALUES %s) AS v(key, move_id) "
                "WHERE c.id = ANY(%s) AND c.%s = v.key",
                ChargeState.SETTLED,
                self.id,
                SQL.identifier(move_column),
                self.env.uid,
                SQL(", ").join(SQL("(%s, %s::int)", key, move_id) for key, move_id in values),
                line_ids,
                SQL.identifier(key_column),
            )
        )
        charges.invalidate_recordset(["write_uid", "write_date", *CHARGE_WRITTEN])
        charges.modified(list(CHARGE_WRITTEN))
        self.invalidate_recordset(["charge_ids"])

    def _update_reversed_state(self):
        """A run whose entries are all reversed is reversed (its period may be settled again)."""
        for settlement in self:
            if settlement.move_ids and all(
                move._facility_posted_reversals() or move.state == "cancel"
                for move in settlement.move_ids
            ):
                settlement._write_guarded({"state": SettlementState.REVERSED})

    @api.model
    def _cron_settle_previous_period(self):
        """Monthly run (inactive by default): settle each company's last closed period."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            if not company.chart_template:
                continue
            period = company._facility_previous_period(today)
            for kind in (SettlementKind.PERIOD, SettlementKind.INVOICE):
                # one company's refusal (a line without fund, another currency) spares the others
                try:
                    with self.env.cr.savepoint():
                        self.sudo().with_company(company).settle_period(
                            company, period.date_from, period.date_to, kind
                        )
                except UserError as error:
                    self.env.invalidate_all(flush=False)
                    _logger.warning(
                        "Settlement %s of %s from %s to %s not run: %s",
                        kind,
                        company.name,
                        period.date_from,
                        period.date_to,
                        error,
                    )
