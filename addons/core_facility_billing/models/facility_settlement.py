from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.core_facility.models.access import ensure_single

from ..rules import settlement as rules
from ..rules.codes import (
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
                lambda m: m.state == "posted" and not m.reversal_move_ids
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
        twice posts nothing twice. Returns the run (empty when nothing was left to settle)."""
        self._check_can_settle()
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
    def settle_origin(self, origin):
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
    def pending_summary(self, company, date_from, date_to, category="internal", where=None):
        """What a run would settle: ``{"count", "amount", "without_fund"}`` (lines)."""
        company = company.sudo()
        where = where or SQL(
            "c.company_id = %s AND c.date BETWEEN %s AND %s", company.id, date_from, date_to
        )
        self.env["facility.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*), coalesce(sum(c.amount), 0), count(*) FILTER "
                "(WHERE c.fund_id IS NULL AND c.payer_category IN %s) "
                "FROM facility_charge c WHERE %s AND %s",
                FUND_CATEGORIES,
                where,
                self._pending_condition(category),
            )
        )
        count, amount, without_fund = self.env.cr.fetchone()
        return {"count": count, "amount": float(amount), "without_fund": without_fund}

    # -- business logic --------------------------------------------------------------------------

    def _check_can_settle(self):
        if not (self.env.su or self.env.user.has_group(FINANCE)):
            raise AccessError(self.env._("Only finance staff settle charges."))

    @api.model
    def _open_run(self, company, kind, date_from, date_to):
        """The run of this period (not reversed), or a new one."""
        settlement = self.search(
            [
                ("company_id", "=", company.id),
                ("kind", "=", kind),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("origin", "=", False),
                ("state", "!=", SettlementState.REVERSED),
            ],
            limit=1,
        )
        return settlement or self.create(
            {"kind": kind, "date_from": date_from, "date_to": date_to, "company_id": company.id}
        )

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
    def _settle(self, where, category, make_run, day):
        """Lock the pending lines of ``where``, post them (entries or invoices) in the run
        ``make_run()`` gives and mark them settled. The lines are locked first: a concurrent run
        of the same lines waits, then fails to serialise (and is retried, finding them settled).
        Returns the run, or an empty recordset when nothing was pending."""
        self.env.flush_all()
        condition = SQL("%s AND %s", where, self._pending_condition(category))
        if category == "internal":
            groups = self._lock_internal(condition)
            if not groups:
                return self.browse()
            run = make_run()
            moves = run._post_entries(groups, day or run.date_to)
        else:
            rows = self._lock_external(condition)
            if not rows:
                return self.browse()
            run = make_run()
            moves = run._post_invoices(rows, day)
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
        line_ids = [line_id for *_k, ids in groups for line_id in ids]
        funds = {group[0] for group in groups}
        self._mark_settled(
            line_ids, [(fund, move_of_fund.get(fund)) for fund in funds], "move_id", "fund_id"
        )
        return moves

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
                move.reversal_move_ids or move.state == "cancel" for move in settlement.move_ids
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
                self.sudo().with_company(company).settle_period(
                    company, period.date_from, period.date_to, kind
                )
