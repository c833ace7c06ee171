#!/usr/bin/env python3
# ruff: noqa: PLC0415  (Odoo is imported late, after the environment is prepared)
"""Booking benchmark: create-and-validate one booking, and an availability search.

Run from the repository root with the installed Odoo:

    python bench/booking.py              # scratch database, dropped afterwards
    python bench/booking.py -d NAME      # an existing database with core_facility installed

It loads 200,000 past and future bookings over 300 instruments and 2,000 users (under the seed's
routine-TEM policy: natural-week horizon, working hours, off-hours level), then measures

* ``create``: an instrument user books a free hour (rules checked, exclusion constraint, chatter,
  commit), each in its own transaction, as a request would;
* ``availability``: the finder's search for the next free 2 h a user may book;
* ``baseline``: the floor, a bare SQL insert of one booking row that the exclusion constraint
  checks, committed;
* ``orm_floor``: the thinnest ORM create there is, for reference: a facility manager reserves
  time on an instrument (a four-field record: access rights and record rules, no chatter, no
  booking rules), committed.

It prints one ``name=value`` line per figure. PostgreSQL is reached through PGHOST, PGPORT,
PGUSER, PGPASSWORD (default 127.0.0.1:5432).
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI_OFFSET = timedelta(hours=8)
SLOTS = ((9, 11), (13, 15), (19, 21))  # local hours of the loaded bookings; 11-13, 15-17 stay free


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def odoo_args(db):
    import odoo

    root = Path(odoo.__file__).parent
    addons = [str(ROOT / "addons")] + [
        str(p) for p in (root / "addons", root.parent / "addons") if (p / "mail").is_dir()
    ]
    args = ["-d", db, "--addons-path", ",".join(addons)]
    args += ["--db_host", os.environ.get("PGHOST", "127.0.0.1")]
    args += ["--db_port", os.environ.get("PGPORT", "5432")]
    if os.environ.get("PGUSER"):
        args += ["--db_user", os.environ["PGUSER"]]
    if os.environ.get("PGPASSWORD"):
        args += ["--db_password", os.environ["PGPASSWORD"]]
    return args


def install(db):
    command = [sys.executable, "-m", "odoo", *odoo_args(db), "-i", "core_facility"]
    command += ["--without-demo=all", "--stop-after-init", "--log-level=warn", "--http-port=0"]
    subprocess.run(command, check=True, env=dict(os.environ, TZ="UTC"))


def drop(db):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", host=os.environ.get("PGHOST", "127.0.0.1"))
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()


def local_to_utc(day, hour, minute=0):
    return (
        datetime.combine(day, datetime.min.time())
        + timedelta(hours=hour, minutes=minute)
        - (SHANGHAI_OFFSET)
    )


def load(env, n_instruments, n_users, n_bookings):
    """Instruments, users, groups and bookings; bookings are COPYed in one go."""
    from odoo import Command

    cr = env.cr
    unit = env["facility.unit"].create({"name": "Bench Center", "unit_type": "platform"})
    policy = env.ref("core_facility.policy_tem_routine")
    instruments = env["facility.instrument"].create(
        [
            {
                "name": f"Bench instrument {i:03d}",
                "unit_id": unit.id,
                "booking_policy_id": policy.id,
            }
            for i in range(n_instruments)
        ]
    )
    user_group = env.ref("core_facility.group_facility_user")
    users = env["res.users"]
    for batch in range(0, n_users, 250):
        users |= env["res.users"].create(
            [
                {
                    "name": f"Bench user {i:04d}",
                    "login": f"bench_user_{i:04d}",
                    "tz": "Asia/Shanghai",
                    "groups_id": [Command.set(user_group.ids)],
                }
                for i in range(batch, min(n_users, batch + 250))
            ]
        )
    groups = env["facility.research.group"].create(
        [
            {
                "name": f"Bench group {g:03d}",
                "pi_id": users[g * 10].id,
                "category": "internal" if g % 4 else "external",
                "member_ids": [Command.set(users[g * 10 : g * 10 + 10].ids)],
            }
            for g in range(n_users // 10)
        ]
    )
    group_of = {user.id: groups[index // 10].id for index, user in enumerate(users)}
    env["res.users"].create(
        {
            "name": "Bench facility manager",
            "login": "bench_manager",
            "groups_id": [Command.set(env.ref("core_facility.group_facility_manager").ids)],
        }
    )
    per_instrument = n_bookings // n_instruments
    today = datetime.now().date()
    first_day = today - timedelta(days=per_instrument // len(SLOTS) * 3 // 4)
    now = datetime.now()
    rows = io.StringIO()
    serial = 0
    for i, instrument in enumerate(instruments):
        for k in range(per_instrument):
            day = first_day + timedelta(days=k // len(SLOTS))
            start_h, stop_h = SLOTS[k % len(SLOTS)]
            start, stop = local_to_utc(day, start_h), local_to_utc(day, stop_h)
            user = users[(i * 7 + k) % len(users)]
            state = "done" if stop < now else "confirmed"
            serial += 1
            rows.write(
                f"BK/BENCH/{serial}\t{instrument.id}\t{user.id}\t{group_of[user.id]}\t{user.id}\t"
                f"Bench\t{start}\t{stop}\t2.0\t{state}\t2.0\t{env.company.id}\t1\t1\t{now}\t{now}\n"
            )
    rows.seek(0)
    env.flush_all()
    cr._obj.copy_expert(
        "COPY facility_booking (name, instrument_id, operator_id, research_group_id, "
        "booked_by_id, purpose, date_start, date_stop, duration_hours, state, chargeable_hours, "
        "company_id, create_uid, write_uid, create_date, write_date) FROM STDIN",
        rows,
    )
    cr.execute("ANALYZE facility_booking")
    return instruments.ids, users.ids, group_of


def free_hours(instrument_ids, count):
    """Distinct free working hours within the horizon: (instrument, local day, hour)."""
    today = datetime.now().date()
    last = today - timedelta(days=today.weekday()) + timedelta(days=13)  # 2nd natural week
    candidates = (today + timedelta(days=d) for d in range(1, 14))
    days = [day for day in candidates if day.weekday() < 5 and day <= last]
    pool = [(i, day, hour) for i in instrument_ids for day in days for hour in (11, 12, 15, 16)]
    random.shuffle(pool)
    return pool[:count]


def measure(registry, instrument_ids, user_ids, group_of, samples):
    import psycopg2

    from odoo import SUPERUSER_ID, api

    figures = {}
    slots = free_hours(instrument_ids, 2 * samples)
    create_times = []
    for instrument_id, day, hour in slots[:samples]:
        user_id = random.choice(user_ids)
        with registry.cursor() as cr:
            env = api.Environment(cr, user_id, {"lang": "en_US", "tz": "Asia/Shanghai"})
            bookings = env["facility.booking"]
            start = time.perf_counter()
            bookings.create(
                {
                    "instrument_id": instrument_id,
                    "operator_id": user_id,
                    "research_group_id": group_of[user_id],
                    "purpose": "Bench",
                    "date_start": local_to_utc(day, hour),
                    "date_stop": local_to_utc(day, hour + 1),
                }
            )
            cr.commit()
            create_times.append((time.perf_counter() - start) * 1000)
    figures["create_p50_ms"] = statistics.median(create_times)
    figures["create_p95_ms"] = percentile(create_times, 95)

    finder_times = []
    for _ in range(max(20, samples // 4)):
        user_id = random.choice(user_ids)
        with registry.cursor() as cr:
            env = api.Environment(cr, user_id, {"lang": "en_US", "tz": "Asia/Shanghai"})
            start = time.perf_counter()
            finder = env["facility.booking.finder"].new(
                {
                    "instrument_id": random.choice(instrument_ids),
                    "user_id": user_id,
                    "research_group_id": group_of[user_id],
                    "duration_hours": 2.0,
                    "date_from": datetime.now(),
                    "days": 21,
                }
            )
            found = finder._find()
            finder_times.append((time.perf_counter() - start) * 1000)
            assert found, "the finder found no free time"
            cr.rollback()
    figures["availability_p50_ms"] = statistics.median(finder_times)
    figures["availability_p95_ms"] = percentile(finder_times, 95)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        dsn = dict(cr._cnx.info.dsn_parameters)
    conn = psycopg2.connect(
        dbname=dsn["dbname"],
        host=dsn.get("host"),
        port=dsn.get("port"),
        user=dsn.get("user"),
        password=os.environ.get("PGPASSWORD"),
    )
    cur = conn.cursor()
    base_times = []
    for instrument_id, day, hour in slots[samples:]:
        user_id = random.choice(user_ids)
        start = time.perf_counter()
        cur.execute(
            "INSERT INTO facility_booking (name, instrument_id, operator_id, research_group_id, "
            "purpose, date_start, date_stop, state, company_id) "
            "VALUES ('BK/BASE', %s, %s, %s, 'Base', %s, %s, 'confirmed', 1)",
            (
                instrument_id,
                user_id,
                group_of[user_id],
                local_to_utc(day, hour),
                local_to_utc(day, hour + 1),
            ),
        )
        conn.commit()
        base_times.append((time.perf_counter() - start) * 1000)
    conn.close()
    figures["baseline_p50_ms"] = statistics.median(base_times)
    figures["baseline_p95_ms"] = percentile(base_times, 95)
    figures["create_vs_baseline_p95"] = figures["create_p95_ms"] / figures["baseline_p95_ms"]

    with registry.cursor() as cr:
        manager_id = api.Environment(cr, SUPERUSER_ID, {})["res.users"].search(
            [("login", "=", "bench_manager")]
        )
        manager_id = manager_id.id
    orm_times = []
    far = datetime.now() + timedelta(days=3650)
    for k in range(samples):
        with registry.cursor() as cr:
            env = api.Environment(cr, manager_id, {"lang": "en_US", "tz": "Asia/Shanghai"})
            start = time.perf_counter()
            env["facility.booking.blackout"].create(
                {
                    "name": "Bench",
                    "instrument_id": instrument_ids[k % len(instrument_ids)],
                    "date_start": far + timedelta(hours=k),
                    "date_stop": far + timedelta(hours=k, minutes=30),
                }
            )
            cr.commit()
            orm_times.append((time.perf_counter() - start) * 1000)
    figures["orm_floor_p50_ms"] = statistics.median(orm_times)
    figures["orm_floor_p95_ms"] = percentile(orm_times, 95)
    figures["create_vs_orm_floor_p95"] = figures["create_p95_ms"] / figures["orm_floor_p95_ms"]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", help="existing database with core_facility")
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--instruments", type=int, default=300)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    try:
        import odoo
    except ImportError:
        sys.exit("error: Odoo 18 is not installed for this Python (see README, 'Getting Odoo').")
    os.environ["TZ"] = "UTC"
    time.tzset()
    random.seed(42)
    db = args.database or f"core_facility_bench_{int(time.time())}"
    scratch = not args.database
    try:
        started = time.perf_counter()
        if scratch:
            install(db)
        import odoo
        from odoo import SUPERUSER_ID, api

        odoo.tools.config.parse_config(odoo_args(db))
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(
                cr,
                SUPERUSER_ID,
                {"tracking_disable": True, "no_reset_password": True, "mail_create_nosync": True},
            )
            ids = load(env, args.instruments, args.users, args.bookings)
            cr.commit()
            cr.execute("SELECT count(*) FROM facility_booking")
            loaded = cr.fetchone()[0]
        print(f"bookings_loaded={loaded}")
        print(f"setup_s={time.perf_counter() - started:.1f}")
        for name, value in measure(registry, *ids, args.samples).items():
            print(f"{name}={value:.2f}")
    finally:
        if scratch and not args.keep:
            drop(db)


if __name__ == "__main__":
    main()
