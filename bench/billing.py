#!/usr/bin/env python3
# ruff: noqa: PLC0415  (Odoo is imported late, after the environment is prepared)
"""Billing benchmark: the monthly settlement of 100,000 charge lines against Odoo's own posting.

Run from the repository root with the installed Odoo:

    python bench/billing.py              # scratch database, dropped afterwards
    python bench/billing.py -d NAME      # an existing database with core_facility_billing
    python bench/billing.py --lines 5000 --funds 150 --groups 100   # quick run

It loads (with SQL, not timed) confirmed internal charge lines of one month over research groups
and funds (each fund spending on three instruments of five platforms), then times, each in its
own transaction as a finance user, committed:

* ``floor``: Odoo itself creating and posting the same journal entries from prepared values
  (``account.move`` ``create`` of the list, then ``action_post``), no charge logic; it runs
  before and after the settlement and its figure is the mean of the two;
* ``settle``: the monthly settlement end to end (``facility.settlement.settle_period``): lock
  and sum the lines, build one entry per fund summarised per instrument, create and post them,
  mark the lines settled.

It prints one ``name=value`` line per figure, ``settle_vs_floor`` last but the counts. ``--profile``
profiles the settlement with cProfile (to stderr).
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking import check_odoo, drop, odoo_args

MONTH = (date(2040, 3, 1), date(2040, 3, 31))
RATES = (333.33, 266.67, 180.0, 95.5, 120.0, 450.0)


def install(db):
    import subprocess

    command = [sys.executable, "-m", "odoo", *odoo_args(db), "-i", "core_facility_billing"]
    command += ["--without-demo=all", "--stop-after-init", "--log-level=warn", "--http-port=0"]
    subprocess.run(command, check=True, env=dict(os.environ, TZ="UTC"))


def load(env, n_lines, n_groups, n_funds, n_instruments):
    """Platforms, instruments, groups, funds and the month's confirmed lines (SQL)."""
    from psycopg2.extras import execute_values

    from odoo import Command

    company = env.company
    company._facility_billing_accounts()
    finance = env["res.users"].create(
        {
            "name": "Bench finance",
            "login": f"bench_finance_{int(time.time())}",
            "groups_id": [Command.set(env.ref("core_facility.group_facility_finance").ids)],
        }
    )
    units = env["facility.unit"].create(
        [{"name": f"Bench platform {u}", "unit_type": "platform"} for u in range(5)]
    )
    instruments = env["facility.instrument"].create(
        [
            {"name": f"Bench instrument {i:03d}", "unit_id": units[i % len(units)].id}
            for i in range(n_instruments)
        ]
    )
    groups = env["facility.research.group"].create(
        [{"name": f"Bench group {g:04d}", "pi_id": env.uid} for g in range(n_groups)]
    )
    funds = env["account.analytic.account"].create(
        [
            {
                "name": f"Bench fund {f:04d}",
                "facility_fund_code": f"BENCH-{int(time.time())}-{f:04d}",
                "facility_research_group_id": groups[f % n_groups].id,
            }
            for f in range(n_funds)
        ]
    )
    env.flush_all()
    rng = random.Random(42)
    rows = []
    instrument_ids, unit_of = instruments.ids, {i.id: i.unit_id.id for i in instruments}
    for n in range(n_lines):
        f = n % n_funds
        fund = funds[f]
        instrument = instrument_ids[(f * 3 + rng.randrange(3)) % len(instrument_ids)]
        rate = RATES[n % len(RATES)]
        quantity = rng.choice((0.25, 0.5, 1.0, 1.5, 2.0, 3.75))
        amount = round(quantity * rate + 1e-9, 2)
        day = date(MONTH[0].year, MONTH[0].month, 1 + n % 31)
        rows.append(
            (
                f"Bench line {n}",
                day,
                "booking",
                instrument,
                unit_of[instrument],
                fund.facility_research_group_id.id,
                env.uid,
                fund.id,
                "internal",
                quantity,
                "hour",
                rate,
                amount,
                f"bench:{MONTH[0]}:{n}",
                "confirmed",
                company.id,
            )
        )
    execute_values(
        env.cr._obj,
        "INSERT INTO facility_charge (name, date, kind, instrument_id, unit_id, "
        "research_group_id, pi_id, fund_id, payer_category, quantity, fee_unit, unit_price, "
        "amount, origin_key, state, company_id, create_uid, write_uid, create_date, write_date) "
        "VALUES %s",
        [(*row, 1, 1) for row in rows],
        template="(" + ", ".join(["%s"] * 18) + ", now(), now())",
        page_size=5000,
    )
    env.cr.execute("ANALYZE facility_charge")
    for unit in units:
        unit._facility_analytic_account()
    return finance.id


def prepared_entries(env):
    """The entries the settlement will post, as plain values (what the floor creates)."""
    from odoo import Command

    company = env.company
    env.cr.execute(
        "SELECT c.fund_id, c.instrument_id, sum(c.amount) FROM facility_charge c "
        "WHERE c.company_id = %s AND c.state = 'confirmed' AND c.date BETWEEN %s AND %s "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        (company.id, *MONTH),
    )
    per_fund = {}
    for fund_id, instrument_id, amount in env.cr.fetchall():
        per_fund.setdefault(fund_id, []).append((instrument_id, float(amount)))
    instruments = env["facility.instrument"].browse({i for v in per_fund.values() for i, _a in v})
    label = {i.id: (i.name, i.unit_id.analytic_account_id.id) for i in instruments}
    vals_list = []
    for fund_id, items in per_fund.items():
        lines = []
        for instrument_id, amount in items:
            name, platform = label[instrument_id]
            lines += [
                Command.create(
                    {
                        "name": name,
                        "account_id": company.facility_internal_charge_account_id.id,
                        "debit": amount,
                        "analytic_distribution": {str(fund_id): 100},
                    }
                ),
                Command.create(
                    {
                        "name": name,
                        "account_id": company.facility_income_account_id.id,
                        "credit": amount,
                        "analytic_distribution": {str(platform): 100},
                    }
                ),
            ]
        vals_list.append(
            {
                "move_type": "entry",
                "journal_id": company.facility_billing_journal_id.id,
                "date": MONTH[1],
                "ref": f"floor {fund_id}",
                "line_ids": lines,
            }
        )
    return vals_list


def timed(registry, user_id, action, profile=False):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, user_id, {"lang": "en_US", "tracking_disable": True})
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        result = action(env)
        cr.commit()
        elapsed = time.perf_counter() - start
        if profiler:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue(), file=sys.stderr)
        counts = result(env) if callable(result) else result
    return elapsed, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", help="existing database with core_facility_billing")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--funds", type=int, default=3_000)
    parser.add_argument("--instruments", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="cProfile the settlement")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    check_odoo()
    os.environ["TZ"] = "UTC"
    time.tzset()
    db = args.database or f"core_facility_billing_bench_{int(time.time())}"
    scratch = not args.database
    try:
        if scratch:
            install(db)
        import odoo
        from odoo import SUPERUSER_ID, api

        odoo.tools.config.parse_config(odoo_args(db))
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            cr.execute(
                "DELETE FROM facility_charge WHERE date BETWEEN %s AND %s AND origin_key LIKE %s",
                (*MONTH, "bench:%"),
            )
            finance_id = load(env, args.lines, args.groups, args.funds, args.instruments)
            cr.commit()
            vals_list = prepared_entries(env)
        print(f"lines_loaded={args.lines}")

        def floor(env):
            moves = env["account.move"].create(vals_list)
            moves.action_post()
            return lambda _env: (len(moves), len(moves.line_ids))

        def settle(env):
            company = env.company
            before = set(
                env["facility.settlement"]
                .search([("date_from", "=", MONTH[0]), ("kind", "=", "period")])
                .move_ids.ids
            )
            settlement = env["facility.settlement"].settle_period(company, *MONTH)
            moves = settlement.move_ids.filtered(lambda move: move.id not in before)
            return lambda _env: (len(moves), len(moves.line_ids))

        # warm the finance user's caches (access rules, accounts) on a few entries, rolled back,
        # so that neither timed run pays them
        with registry.cursor() as cr:
            env = api.Environment(cr, finance_id, {"lang": "en_US", "tracking_disable": True})
            env["account.move"].create(vals_list[:5]).action_post()
            cr.rollback()
        # the floor runs before and after the settlement (the tables grow with each posting):
        # its figure is the mean of the two, which brackets the settlement fairly
        floor_1, (floor_entries, floor_lines) = timed(registry, finance_id, floor)
        settle_s, (entries, lines) = timed(registry, finance_id, settle, args.profile)
        floor_2, _counts = timed(registry, finance_id, floor)
        floor_s = (floor_1 + floor_2) / 2
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM facility_charge WHERE date BETWEEN %s AND %s "
                "AND state = 'settled' AND origin_key LIKE %s",
                (*MONTH, "bench:%"),
            )
            settled = cr.fetchone()[0]
        print(f"floor_before_s={floor_1:.2f}")
        print(f"floor_after_s={floor_2:.2f}")
        print(f"floor_s={floor_s:.2f}")
        print(f"settle_s={settle_s:.2f}")
        print(f"settle_vs_floor={settle_s / floor_s:.2f}")
        print(f"entries={entries}")
        print(f"entry_lines={lines}")
        print(f"floor_entries={floor_entries}")
        print(f"floor_entry_lines={floor_lines}")
        print(f"lines_settled={settled}")
    finally:
        if scratch and not args.keep:
            drop(db)


if __name__ == "__main__":
    main()
