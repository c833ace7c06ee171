#!/usr/bin/env python3
# ruff: noqa: PLC0415  (Odoo is imported late, after the environment is prepared)
"""Evaluation benchmark: a whole campaign's figures and scores against one SQL query per figure.

Run from the repository root with the installed Odoo:

    python bench/eval.py            # 2,000 instruments, 1,000,000 bookings, 300,000 charges
    python bench/eval.py --small    # 200 instruments, 50,000 bookings, 15,000 charges (quick)
    python bench/eval.py --keep     # keep the scratch database

It creates a fresh database with ``core_facility_eval`` (no demo data): 20 二级单位 with a
platform each, the instruments (all in the evaluation's scope, a tenth opened during the year),
500 users in 100 research groups of the units (one in ten outside the university), and COPYs a
year of bookings (nine in ten done, with their measured times), charge lines (internal and
external, mostly confirmed), training sessions and outcomes. Then, in the same run:

* ``campaign_s``: a campaign of that year computed as the director computes it,
  ``campaign.action_compute()``: the figures of every instrument in scope
  (``facility.eval.collector.collect()``, one read per figure family), every instrument form
  scored (``rules/scoring``) and written with its lines, every unit form scored and written;
* ``floor_s``: one SQL aggregate query per figure over the same data (hours and bookings,
  external hours, departments, researchers, fees, fee standards, trainings, outcomes, the scope);
* ``campaign_vs_floor``: the ratio (target ≤ 3).

Both run once untimed first (warm caches), then timed. It prints ``name=value`` lines.
PostgreSQL is reached through PGHOST, PGPORT, PGUSER, PGPASSWORD (default 127.0.0.1:5432).
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking import check_odoo, drop, install, odoo_args

SHANGHAI_OFFSET = timedelta(hours=8)
UNITS = 20
USERS = 500
GROUPS = 100


def load(env, year, n_instruments, n_bookings, n_charges):
    """Units, instruments, users, groups (ORM); bookings, charges, trainings, outcomes (COPY)."""
    from odoo import Command

    cr = env.cr
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
    Unit = env["facility.unit"]
    departments = Unit.create(
        [{"name": f"Bench School {u:02d}", "unit_type": "department"} for u in range(UNITS)]
    )
    platforms = Unit.create(
        [
            {"name": f"Bench Platform {u:02d}", "unit_type": "platform", "parent_id": d.id}
            for u, d in enumerate(departments)
        ]
    )
    instruments = env["facility.instrument"]
    for first in range(0, n_instruments, 250):
        instruments |= instruments.create(
            [
                {
                    "name": f"Bench instrument {i:04d}",
                    "unit_id": platforms[i % UNITS].id,
                    "original_value": 400_000 + (i * 7919) % 5_000_000,
                    "account_date": date(year, 1 + i % 9, 15) if i % 10 == 0 else date(2015, 1, 1),
                    "rated_annual_hours": 1400,
                }
                for i in range(first, min(n_instruments, first + 250))
            ]
        )
    user_group = env.ref("core_facility.group_facility_user")
    users = env["res.users"]
    for first in range(0, USERS, 250):
        users |= users.create(
            [
                {
                    "name": f"Bench user {i:04d}",
                    "login": f"bench_eval_user_{i:04d}",
                    "groups_id": [Command.set(user_group.ids)],
                }
                for i in range(first, min(USERS, first + 250))
            ]
        )
    per_group = USERS // GROUPS
    groups = env["facility.research.group"].create(
        [
            {
                "name": f"Bench group {g:03d}",
                "pi_id": users[g * per_group].id,
                "unit_id": departments[g % UNITS].id,
                "category": "external" if g % 5 == 0 else "internal",
                "is_off_campus": g % 10 == 0,
                "member_ids": [Command.set(users[g * per_group : (g + 1) * per_group].ids)],
            }
            for g in range(GROUPS)
        ]
    )
    scheme = env["facility.certification.scheme"].create(
        {"name": "Bench", "instrument_ids": [Command.set(instruments.ids)]}
    )
    level = env["facility.certification.level"].create({"name": "Bench", "scheme_id": scheme.id})
    env.flush_all()
    company = env.company.id
    now = datetime.now()
    rng = random.Random(42)
    ids, user_ids, group_ids = instruments.ids, users.ids, groups.ids
    first_utc = datetime(year, 1, 1) - SHANGHAI_OFFSET

    rows = io.StringIO()
    per = max(1, n_bookings // len(ids))
    step = timedelta(days=365) / per  # bookings of an instrument never overlap (≤ 8 h apart)
    serial = 0
    for instrument_id in ids:
        for k in range(per):
            start = (first_utc + step * k + timedelta(hours=1)).replace(microsecond=0, second=0)
            hours = rng.choice((1, 2, 2, 3, 4, 6, 8))
            stop = start + timedelta(hours=hours)
            g = rng.randrange(GROUPS)
            operator = user_ids[g * per_group + rng.randrange(per_group)]
            roll = rng.random()
            state = "done" if roll < 0.9 else ("cancelled" if roll < 0.95 else "confirmed")
            serial += 1
            if state == "done":
                used = round(hours * rng.uniform(0.7, 1.0), 2)
                actual = (str(start), str(start + timedelta(hours=used)), used)
            else:
                actual = ("\\N", "\\N", 0.0)
            rows.write(
                f"BK/EVAL/{serial}\t{instrument_id}\t{operator}\t{group_ids[g]}\t{operator}\t"
                f"Bench\t{start}\t{stop}\t{hours}\t{state}\t{actual[0]}\t{actual[1]}\t"
                f"{actual[2]}\t{hours}\t{company}\t1\t1\t{now}\t{now}\n"
            )
    copy(
        cr,
        rows,
        "facility_booking (name, instrument_id, operator_id, research_group_id, booked_by_id, "
        "purpose, date_start, date_stop, duration_hours, state, actual_start, actual_stop, "
        "used_hours, chargeable_hours, company_id, create_uid, write_uid, create_date, "
        "write_date)",
    )

    rows = io.StringIO()
    for n in range(n_charges):
        g = rng.randrange(GROUPS)
        category = "external" if g % 5 == 0 else "internal"
        state = "confirmed" if n % 10 else rng.choice(("draft", "settled", "cancelled"))
        day = date(year, 1, 1) + timedelta(days=n % 365)
        amount = round(rng.uniform(50, 3000), 2)
        rows.write(
            f"Bench charge {n}\t{day}\tbooking\t{ids[n % len(ids)]}\t{group_ids[g]}\t{category}\t"
            f"1\t{amount}\t{amount}\t{state}\t{company}\t1\t1\t{now}\t{now}\n"
        )
    copy(
        cr,
        rows,
        "facility_charge (name, date, kind, instrument_id, research_group_id, payer_category, "
        "quantity, unit_price, amount, state, company_id, create_uid, write_uid, create_date, "
        "write_date)",
    )

    rows = io.StringIO()
    n_trainings = len(ids) * 10
    for n in range(n_trainings):
        start = first_utc + timedelta(days=n % 365, hours=2)
        trainees = 1 + n % 4
        state = "done" if n % 8 else "planned"
        rows.write(
            f"TR/{n}\t{ids[n % len(ids)]}\t{level.id}\t{user_ids[0]}\t{start}\t2.0\t{trainees}\t"
            f"{2.0 * trainees}\t{state}\t{company}\t1\t1\t{now}\t{now}\n"
        )
    copy(
        cr,
        rows,
        "facility_training (name, instrument_id, level_id, trainer_id, date_start, hours, "
        "trainee_count, person_hours, state, company_id, create_uid, write_uid, create_date, "
        "write_date)",
    )

    kinds = (
        ("paper", "\\N", "sci", "\\N"),
        ("paper", "\\N", "core", "\\N"),
        ("project", "key", "\\N", "\\N"),
        ("project", "normal", "\\N", "\\N"),
        ("award", "\\N", "\\N", "provincial"),
        ("patent", "\\N", "\\N", "\\N"),
    )
    rows = io.StringIO()
    n_outcomes = len(ids) * 5
    for n in range(n_outcomes):
        kind, project, indexing, award = kinds[n % len(kinds)]
        state = "accepted" if n % 7 else "registered"
        rows.write(
            f"Outcome {n}\t{kind}\t{project}\t{indexing}\t{award}\t{year}\t{group_ids[n % GROUPS]}"
            f"\tnot_checked\t{state}\t{company}\t1\t1\t{now}\t{now}\n"
        )
    copy(
        cr,
        rows,
        "facility_publication (name, kind, project_level, indexing, award_level, year, "
        "research_group_id, ack_state, state, company_id, create_uid, write_uid, create_date, "
        "write_date)",
    )
    cr.execute("SELECT id FROM facility_publication ORDER BY id")
    publications = [row[0] for row in cr.fetchall()]
    rows = io.StringIO()
    for n, publication in enumerate(publications):
        for instrument_id in {ids[n % len(ids)], ids[(n * 31) % len(ids)]}:
            rows.write(f"{publication}\t{instrument_id}\n")
    copy(
        cr,
        rows,
        "facility_instrument_facility_publication_rel (facility_publication_id, "
        "facility_instrument_id)",
    )
    for table in (
        "facility_booking",
        "facility_charge",
        "facility_training",
        "facility_publication",
    ):
        cr.execute(f"ANALYZE {table}")
    env.invalidate_all()
    return instruments.ids


def copy(cr, rows, target):
    rows.seek(0)
    cr._obj.copy_expert(f"COPY {target} FROM STDIN", rows)


def campaign_of(env, year):
    return env["facility.eval.campaign"].create(
        {
            "name": f"Bench {year}",
            "year": year,
            "scheme_id": env.ref("core_facility_eval.eval_scheme_instrument").id,
            "date_from": date(year, 1, 1),
            "date_to": date(year, 12, 31),
        }
    )


def compute_campaign(env, campaign):
    """The whole campaign as the director computes it: ``campaign.action_compute()`` — the
    figures of every instrument in scope, every instrument form scored and written with its
    lines, every unit form. Returns the number of instrument forms."""
    campaign.action_compute()
    env.flush_all()
    return env["facility.eval.sheet"].search_count([("campaign_id", "=", campaign.id)])


def floor(cr, year, scope_value):
    """One SQL aggregate query per figure over the same data; returns the seconds."""
    start = datetime(year, 1, 1) - SHANGHAI_OFFSET
    stop = datetime(year + 1, 1, 1) - SHANGHAI_OFFSET
    window = "b.state = 'done' AND b.date_start >= %(start)s AND b.date_start < %(stop)s"
    params = {"start": start, "stop": stop, "year": year, "value": scope_value}
    queries = [
        "SELECT id, account_date, scrap_applied_date, state FROM facility_instrument "
        "WHERE active AND original_value >= %(value)s",
        f"SELECT b.instrument_id, SUM(b.used_hours), COUNT(*) FROM facility_booking b "
        f"WHERE {window} GROUP BY b.instrument_id",
        f"SELECT b.instrument_id, SUM(b.used_hours) FROM facility_booking b "
        f"JOIN facility_research_group g ON g.id = b.research_group_id "
        f"WHERE {window} AND g.is_off_campus GROUP BY b.instrument_id",
        f"SELECT b.instrument_id, COUNT(DISTINCT g.unit_id) FROM facility_booking b "
        f"JOIN facility_research_group g ON g.id = b.research_group_id "
        f"WHERE {window} GROUP BY b.instrument_id",
        f"SELECT b.instrument_id, COUNT(DISTINCT b.operator_id) FROM facility_booking b "
        f"WHERE {window} GROUP BY b.instrument_id",
        "SELECT instrument_id, payer_category, SUM(amount) FROM facility_charge "
        "WHERE date >= make_date(%(year)s, 1, 1) AND date <= make_date(%(year)s, 12, 31) "
        "AND state IN ('confirmed', 'disputed', 'settled') GROUP BY 1, 2",
        "SELECT DISTINCT instrument_id FROM facility_fee_standard WHERE instrument_id IS NOT NULL "
        "AND state IN ('approved', 'superseded') AND date_from <= make_date(%(year)s, 12, 31) "
        "AND (date_to IS NULL OR date_to >= make_date(%(year)s, 12, 31))",
        "SELECT instrument_id, SUM(hours), SUM(trainee_count), COUNT(*) FROM facility_training "
        "WHERE state = 'done' AND date_start >= %(start)s AND date_start < %(stop)s GROUP BY 1",
        "SELECT r.facility_instrument_id, p.kind, p.project_level, p.indexing, p.award_level, "
        "COUNT(*) FROM facility_publication p JOIN facility_instrument_facility_publication_rel r "
        "ON r.facility_publication_id = p.id WHERE p.year = %(year)s AND p.state = 'accepted' "
        "GROUP BY 1, 2, 3, 4, 5",
    ]
    started = time.perf_counter()
    for query in queries:
        cr.execute(query, params)
        cr.fetchall()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="200 instruments, 50,000 bookings")
    parser.add_argument("--instruments", type=int)
    parser.add_argument("--bookings", type=int)
    parser.add_argument("--charges", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", metavar="DB", help="time again on a database kept by --keep (no setup)"
    )
    args = parser.parse_args()
    n_instruments = args.instruments or (200 if args.small else 2000)
    n_bookings = args.bookings or (50_000 if args.small else 1_000_000)
    n_charges = args.charges or (15_000 if args.small else 300_000)
    check_odoo()
    os.environ["TZ"] = "UTC"
    time.tzset()
    db = args.reuse or f"core_facility_eval_bench_{int(time.time())}"
    year = date.today().year - 1
    try:
        started = time.perf_counter()
        if not args.reuse:
            install(db, ["core_facility_eval"])
        import odoo
        from odoo import SUPERUSER_ID, api

        odoo.tools.config.parse_config(odoo_args(db), setup_logging=False)
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if args.reuse:
                campaign_id = env["facility.eval.campaign"].search([("year", "=", year)]).id
                n_instruments = env["facility.instrument"].search_count([])
                n_bookings = env["facility.booking"].search_count([])
                n_charges = env["facility.charge"].search_count([])
            else:
                load(env, year, n_instruments, n_bookings, n_charges)
                campaign_id = campaign_of(env, year).id
                cr.commit()
        print(f"instruments={n_instruments}")
        print(f"bookings={n_bookings}")
        print(f"charges={n_charges}")
        print(f"setup_s={time.perf_counter() - started:.1f}", flush=True)

        timings = {}
        for run in ("warm", "timed"):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                campaign = env["facility.eval.campaign"].browse(campaign_id)
                began = time.perf_counter()
                count = compute_campaign(env, campaign)
                timings[run] = time.perf_counter() - began
                floor_s = floor(cr, year, campaign.scope_min_value)
                cr.rollback()
        campaign_s = timings["timed"]
        print(f"forms={count}")
        print(f"campaign_s={campaign_s:.3f}")
        print(f"floor_s={floor_s:.3f}")
        print(f"campaign_vs_floor={campaign_s / floor_s:.2f}", flush=True)
    finally:
        if not (args.keep or args.reuse):
            drop(db)


if __name__ == "__main__":
    main()
