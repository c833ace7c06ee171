#!/usr/bin/env python3
# ruff: noqa: PLC0415  (Odoo is imported late, after the environment is prepared)
"""Booking benchmark: create-and-validate one booking, and an availability search, against peers.

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

and, interleaved with ``create`` and ``availability`` (same user, same hour, each committed), two
peers (see bench/README.md; ``--no-peers`` leaves them out):

* ``calendar_event``: Odoo's own ``calendar.event`` with the user's partner as its one attendee;
* ``resource_booking``: OCA ``resource_booking`` 18.0 (``pip install -r bench/requirements.txt``)
  books the instrument's resource, its ``_check_scheduling`` constraint checking the slot, over a
  mirror of the same 200,000 bookings as calendar events; its availability is the portal's
  ``_get_available_slots`` over the same 21 days.

It prints one ``name=value`` line per figure. PostgreSQL is reached through PGHOST, PGPORT,
PGUSER, PGPASSWORD (default 127.0.0.1:5432). ``--profile N`` profiles N more creates of ours with
pyinstrument and prints where the time goes.
"""

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from importlib import metadata, util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TZ_NAME = "Asia/Shanghai"
SHANGHAI_OFFSET = timedelta(hours=8)
SLOTS = ((9, 11), (13, 15), (19, 21))  # local hours of the loaded bookings; 11-13, 15-17 stay free
PEER_MODULES = ("calendar", "resource_booking")


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def check_odoo():
    """Import the installed Odoo, and explain the fix when an addon wheel shadows it."""
    try:
        import odoo
    except ImportError:
        sys.exit("error: Odoo 18 is not installed for this Python (see README, 'Getting Odoo').")
    if getattr(odoo, "__file__", None) and hasattr(odoo, "release"):
        return
    # OCA addons installed from PyPI put their code in site-packages/odoo/addons/; next to an
    # Odoo installed with `pip install -e`, that folder becomes a namespace package that wins
    # over the editable finder, and `import odoo` no longer finds Odoo itself.
    source = "/path/to/odoo"
    try:
        url = json.loads(metadata.distribution("odoo").read_text("direct_url.json") or "{}")
        source = url.get("url", "").removeprefix("file://") or source
    except metadata.PackageNotFoundError:
        pass
    site = next(iter(odoo.__path__), "site-packages/odoo")
    sys.exit(
        f"error: `import odoo` finds the namespace folder {site} (made by OCA addons installed\n"
        f"from PyPI), not the editable Odoo in {source}. Fix it with a .pth file:\n"
        f"    echo {source} > {Path(site).parent}/odoo-editable-path.pth\n"
        'and check: python3 -c "import odoo; print(odoo.__file__)"'
    )


def peer_addons_path():
    """The folder where pip put the OCA addons (site-packages/odoo/addons), if it did."""
    import odoo.addons

    for path in odoo.addons.__path__:
        if (Path(path) / "resource_booking" / "__manifest__.py").is_file():
            return str(path)
    return None


def odoo_args(db):
    import odoo

    root = Path(odoo.__file__).parent
    addons = [str(ROOT / "addons")] + [
        str(p) for p in (root / "addons", root.parent / "addons") if (p / "mail").is_dir()
    ]
    if peer_addons_path():
        addons.append(peer_addons_path())
    args = ["-d", db, "--addons-path", ",".join(addons)]
    args += ["--db_host", os.environ.get("PGHOST", "127.0.0.1")]
    args += ["--db_port", os.environ.get("PGPORT", "5432")]
    if os.environ.get("PGUSER"):
        args += ["--db_user", os.environ["PGUSER"]]
    if os.environ.get("PGPASSWORD"):
        args += ["--db_password", os.environ["PGPASSWORD"]]
    return args


def install(db, modules):
    command = [sys.executable, "-m", "odoo", *odoo_args(db), "-i", ",".join(modules)]
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


def load(env, n_instruments, n_users, n_bookings, peers):
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
    user_groups = env.ref("core_facility.group_facility_user")
    if peers:  # the same users may book a resource_booking type (calendar needs internal users)
        user_groups |= env.ref("resource_booking.group_user")
    users = env["res.users"]
    for batch in range(0, n_users, 250):
        users |= env["res.users"].create(
            [
                {
                    "name": f"Bench user {i:04d}",
                    "login": f"bench_user_{i:04d}",
                    "tz": TZ_NAME,
                    "groups_id": [Command.set(user_groups.ids)],
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
    peer = load_peer(env, instruments) if peers else {}
    partner_of = {user.id: user.partner_id.id for user in users}
    return instruments.ids, users.ids, group_of, partner_of, peer


def load_peer(env, instruments):
    """resource_booking's side of the same facility: one resource (the instrument, on the same
    working-hours calendar), one combination and one booking type per instrument, and every
    loaded booking mirrored as a confirmed resource.booking with its calendar.event meeting and
    the booker as attendee. Returns {instrument id: booking type id}."""
    from odoo import Command

    cr = env.cr
    calendar = env.ref("core_facility.calendar_facility")
    resources = env["resource.resource"].create(
        [
            {
                "name": instrument.name,
                "resource_type": "material",
                "calendar_id": calendar.id,
                "tz": TZ_NAME,
            }
            for instrument in instruments
        ]
    )
    combinations = env["resource.booking.combination"].create(
        [{"resource_ids": [Command.set(resource.ids)]} for resource in resources]
    )
    types = env["resource.booking.type"].create(
        [
            {
                "name": f"{instrument.name} session",
                "resource_calendar_id": calendar.id,
                "duration": 1.0,
                "slot_duration": 0.5,  # our finder offers every half hour as well
                "modifications_deadline": 0.0,  # free slots from now on, as our finder
                "combination_assignment": "sorted",
                "combination_rel_ids": [Command.create({"combination_id": combination.id})],
            }
            for instrument, combination in zip(instruments, combinations, strict=True)
        ]
    )
    env.flush_all()
    cr.execute(
        "CREATE TEMP TABLE bench_peer_map (instrument_id int, type_id int, combination_id int)"
    )
    cr.execute(
        "INSERT INTO bench_peer_map SELECT * FROM unnest(%s::int[], %s::int[], %s::int[])",
        (instruments.ids, types.ids, combinations.ids),
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_peer_src AS
        SELECT nextval('calendar_event_id_seq') AS event_id,
               nextval('resource_booking_id_seq') AS booking_id,
               b.date_start, b.date_stop, b.duration_hours, u.id AS user_id, u.partner_id,
               m.type_id, m.combination_id
          FROM facility_booking b
          JOIN bench_peer_map m ON m.instrument_id = b.instrument_id
          JOIN res_users u ON u.id = b.operator_id
         WHERE b.name LIKE 'BK/BENCH/%%'
        """
    )
    cr.execute(
        """
        INSERT INTO calendar_event (id, name, start, stop, duration, user_id, privacy, show_as,
                                    active, allday, recurrency, create_uid, write_uid,
                                    create_date, write_date)
        SELECT event_id, 'Bench session', date_start, date_stop, duration_hours, user_id,
               'public', 'busy', true, false, false, 1, 1, now(), now()
          FROM bench_peer_src;
        INSERT INTO calendar_attendee (event_id, partner_id, state, availability, access_token,
                                       create_uid, write_uid, create_date, write_date)
        SELECT event_id, partner_id, 'accepted', 'busy', md5(event_id::text), 1, 1, now(), now()
          FROM bench_peer_src;
        INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id)
        SELECT event_id, partner_id FROM bench_peer_src;
        INSERT INTO resource_booking (id, meeting_id, combination_id, user_id, type_id, state,
                                      active, combination_auto_assign, start, stop, duration,
                                      create_uid, write_uid, create_date, write_date)
        SELECT booking_id, event_id, combination_id, user_id, type_id, 'confirmed', true, true,
               date_start, date_stop, duration_hours, 1, 1, now(), now()
          FROM bench_peer_src;
        INSERT INTO res_partner_resource_booking_rel (resource_booking_id, res_partner_id)
        SELECT booking_id, partner_id FROM bench_peer_src;
        DROP TABLE bench_peer_src;
        ANALYZE calendar_event;
        ANALYZE calendar_attendee;
        ANALYZE resource_booking;
        """
    )
    env.invalidate_all()
    return dict(zip(instruments.ids, types.ids, strict=True))


def free_hours(instrument_ids, count):
    """Distinct free working hours within the horizon: (instrument, local day, hour)."""
    today = datetime.now().date()
    last = today - timedelta(days=today.weekday()) + timedelta(days=13)  # 2nd natural week
    candidates = (today + timedelta(days=d) for d in range(1, 14))
    days = [day for day in candidates if day.weekday() < 5 and day <= last]
    pool = [(i, day, hour) for i in instrument_ids for day in days for hour in (11, 12, 15, 16)]
    random.shuffle(pool)
    return pool[:count]


class Runner:
    """Runs one request as a user in its own transaction, committed, and keeps its time."""

    def __init__(self, registry):
        self.registry = registry
        self.times = {}

    def run(self, name, user_id, action, commit=True):
        from odoo import api

        with self.registry.cursor() as cr:
            env = api.Environment(cr, user_id, {"lang": "en_US", "tz": TZ_NAME})
            start = time.perf_counter()
            result = action(env)
            if commit:
                cr.commit()
            self.times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
            check = result() if callable(result) else result
            assert check, f"{name}: nothing was made or found"
            if not commit:
                cr.rollback()

    def round(self, k, user_id, contenders, commit=True):
        """One request of each contender by the same user; who goes first rotates, so that none
        always finds the user's caches (record rules, companies) cold or warm."""
        shift = k % len(contenders)
        for name, action in contenders[shift:] + contenders[:shift]:
            self.run(name, user_id, action, commit=commit)

    def figures(self, name):
        return statistics.median(self.times[name]), percentile(self.times[name], 95)


def our_create(instrument_id, user_id, group_id, start, stop):
    def action(env):
        return env["facility.booking"].create(
            {
                "instrument_id": instrument_id,
                "operator_id": user_id,
                "research_group_id": group_id,
                "purpose": "Bench",
                "date_start": start,
                "date_stop": stop,
            }
        )

    return action


def calendar_create(partner_id, start, stop):
    def action(env):
        from odoo import Command

        return env["calendar.event"].create(
            {
                "name": "Bench session",
                "start": start,
                "stop": stop,
                "partner_ids": [Command.set([partner_id])],
            }
        )

    return action


def resource_booking_create(type_id, partner_id, start, **extra):
    def action(env):
        from odoo import Command

        # as a backend user books: no sudo; the combination is picked among those free then
        booking = env["resource.booking"].create(
            {
                "type_id": type_id,
                "partner_ids": [Command.set([partner_id])],
                "start": start,
                "duration": 1.0,
                **extra,
            }
        )
        # checked after the commit: a combination was found free and the meeting created, so
        # _check_scheduling ran on a scheduled booking with resources
        return lambda: booking.combination_id and booking.meeting_id

    return action


def our_availability(instrument_id, user_id, group_id):
    def action(env):
        finder = env["facility.booking.finder"].new(
            {
                "instrument_id": instrument_id,
                "user_id": user_id,
                "research_group_id": group_id,
                "duration_hours": 2.0,
                "date_from": datetime.now(),
                "days": 21,
            }
        )
        return finder._find()

    return action


def resource_booking_availability(type_id, partner_id):
    def action(env):
        import pytz

        from odoo import Command

        # as the portal lists free slots for a pending booking: the same user, sudo
        booking = (
            env["resource.booking"]
            .sudo()
            .new({"type_id": type_id, "partner_ids": [Command.set([partner_id])], "duration": 2.0})
        )
        start = datetime.now(pytz.timezone(TZ_NAME))
        return booking._get_available_slots(start, start + timedelta(days=21))

    return action


def check_peer_refuses_conflict(registry, user_id, partner_id, peer):
    """resource_booking's scheduling check must refuse a taken hour and accept the free hour after
    it, as the user, or its figures mean little."""
    from odoo import api
    from odoo.exceptions import ValidationError

    with registry.cursor() as cr:
        env = api.Environment(cr, user_id, {"lang": "en_US", "tz": TZ_NAME})
        cr.execute(
            """
            SELECT type_id, combination_id, start FROM resource_booking
             WHERE type_id = ANY(%s) AND start > now() at time zone 'UTC' + interval '1 day'
               AND extract(isodow FROM start + interval '8 hours') < 6
               AND extract(hour FROM start + interval '8 hours') = 9
             ORDER BY start LIMIT 1
            """,
            (list(peer.values()),),
        )
        type_id, combination_id, taken = cr.fetchone()
        refused = False
        try:
            with cr.savepoint():
                resource_booking_create(
                    type_id,
                    partner_id,
                    taken,
                    combination_id=combination_id,
                    combination_auto_assign=False,
                )(env)
        except ValidationError:
            refused = True
        env.transaction.clear()
        accepted = resource_booking_create(type_id, partner_id, taken + timedelta(hours=2))(env)
        accepted = accepted()
        cr.rollback()
    if not refused or not accepted:
        sys.exit("error: resource_booking's scheduling check does not judge the slots right")


def measure(registry, slots, instrument_ids, user_ids, group_of, partner_of, peer, samples):
    import psycopg2

    from odoo import SUPERUSER_ID, api

    figures = {}
    runner = Runner(registry)
    if peer:
        check_peer_refuses_conflict(registry, user_ids[0], partner_of[user_ids[0]], peer)
    for k, (instrument_id, day, hour) in enumerate(slots[:samples]):
        user_id = random.choice(user_ids)
        start, stop = local_to_utc(day, hour), local_to_utc(day, hour + 1)
        contenders = [
            ("create", our_create(instrument_id, user_id, group_of[user_id], start, stop))
        ]
        if peer:
            partner_id = partner_of[user_id]
            contenders += [
                ("calendar_event", calendar_create(partner_id, start, stop)),
                (
                    "resource_booking",
                    resource_booking_create(peer[instrument_id], partner_id, start),
                ),
            ]
        runner.round(k, user_id, contenders)
    figures["create_p50_ms"], figures["create_p95_ms"] = runner.figures("create")

    for k in range(max(20, samples // 4)):
        user_id = random.choice(user_ids)
        instrument_id = random.choice(instrument_ids)
        contenders = [("availability", our_availability(instrument_id, user_id, group_of[user_id]))]
        if peer:
            contenders.append(
                (
                    "availability_resource_booking",
                    resource_booking_availability(peer[instrument_id], partner_of[user_id]),
                )
            )
        runner.round(k, user_id, contenders, commit=False)
    figures["availability_p50_ms"], figures["availability_p95_ms"] = runner.figures("availability")

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
    for instrument_id, day, hour in slots[samples : 2 * samples]:
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
            env = api.Environment(cr, manager_id, {"lang": "en_US", "tz": TZ_NAME})
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

    if peer:
        for name in ("calendar_event", "resource_booking", "availability_resource_booking"):
            figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = runner.figures(name)
        p95 = {name: percentile(values, 95) for name, values in runner.times.items()}
        figures["create_vs_calendar_event_p95"] = p95["create"] / p95["calendar_event"]
        figures["create_vs_resource_booking_p95"] = p95["create"] / p95["resource_booking"]
        figures["availability_vs_resource_booking_p95"] = (
            p95["availability"] / p95["availability_resource_booking"]
        )
    return figures


# Where a create's time goes: each sampled frame's own time is charged to the innermost caller
# that belongs to one of these areas (first match wins), or to the ORM. `create` and `write`
# overrides only pass through, so what they call is charged on its own merits.
AREAS = (
    ("commit", lambda path, func: path.endswith("odoo/sql_db.py") and func == "commit"),
    ("flush", lambda path, func: func in ("flush", "flush_all", "_flush", "_recompute_all")),
    ("chatter", lambda path, func: any(f"/addons/{m}/" in path for m in ("mail", "bus"))),
    ("sequence", lambda path, func: path.endswith("/ir_sequence.py")),
    ("access", lambda path, func: path.endswith(("/ir_rule.py", "/ir_model.py"))),
    ("rules", lambda path, func: "/core_facility/" in path),
)
PASS_THROUGH = {"create", "write", "_create", "create_multi"}


def area_of(frame):
    path, func = frame.file_path or "", frame.function or ""
    if func in PASS_THROUGH:
        return None
    return next((name for name, test in AREAS if test(path, func)), None)


def charge(frame, area, totals):
    area = area_of(frame) or area
    children = frame.children
    totals[area] = totals.get(area, 0.0) + frame.time - sum(c.time for c in children)
    for child in children:
        charge(child, area, totals)


def profile(registry, slots, user_ids, group_of):
    """Profile creates of ours, one in each of ``slots`` (free hours the measures left)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("error: --profile needs pyinstrument (pip install -r bench/requirements.txt)")
    from odoo import sql_db

    count = len(slots)
    runner = Runner(registry)
    profiler = Profiler(interval=0.001, use_timing_thread=True)
    queries = sql_db.sql_counter
    profiler.start()
    for instrument_id, day, hour in slots:
        user_id = random.choice(user_ids)
        start, stop = local_to_utc(day, hour), local_to_utc(day, hour + 1)
        runner.run(
            "profiled", user_id, our_create(instrument_id, user_id, group_of[user_id], start, stop)
        )
    session = profiler.stop()
    queries = (sql_db.sql_counter - queries) / count
    totals = {}
    charge(session.root_frame(), "orm", totals)
    total = sum(totals.values())
    print(f"profile_creates={count}", file=sys.stderr)
    print(f"profile_queries_per_create={queries:.1f}", file=sys.stderr)
    print(f"profile_ms_per_create={total * 1000 / count:.2f}", file=sys.stderr)
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"profile_share_{area}={100 * seconds / total:.1f}%", file=sys.stderr)
    print(profiler.output_text(unicode=False, color=False), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", help="existing database with core_facility")
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--instruments", type=int, default=300)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--no-peers", action="store_true", help="measure our booking only")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N creates")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    check_odoo()
    peers = not args.no_peers
    if peers and not peer_addons_path() and not util.find_spec("odoo.addons.resource_booking"):
        sys.exit(
            "error: OCA resource_booking is not installed: pip install -r bench/requirements.txt"
            " (see bench/README.md), or run with --no-peers"
        )
    os.environ["TZ"] = "UTC"
    time.tzset()
    random.seed(42)
    db = args.database or f"core_facility_bench_{int(time.time())}"
    scratch = not args.database
    try:
        started = time.perf_counter()
        if scratch:
            install(db, ("core_facility", *PEER_MODULES) if peers else ("core_facility",))
        import odoo
        from odoo import SUPERUSER_ID, api

        odoo.tools.config.parse_config(odoo_args(db))
        registry = odoo.modules.registry.Registry(db)
        if peers and not scratch:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM ir_module_module WHERE name IN %s AND state = %s",
                    (PEER_MODULES, "installed"),
                )
                missing = cr.fetchone()[0] < len(PEER_MODULES)
            if missing:
                install(db, PEER_MODULES)
                registry = odoo.modules.registry.Registry.new(db)
        with registry.cursor() as cr:
            env = api.Environment(
                cr,
                SUPERUSER_ID,
                {"tracking_disable": True, "no_reset_password": True, "mail_create_nosync": True},
            )
            ids = load(env, args.instruments, args.users, args.bookings, peers)
            cr.commit()
            cr.execute("SELECT count(*) FROM facility_booking")
            loaded = cr.fetchone()[0]
        print(f"bookings_loaded={loaded}")
        print(f"setup_s={time.perf_counter() - started:.1f}", flush=True)
        slots = free_hours(ids[0], 2 * args.samples + args.profile)
        for name, value in measure(registry, slots, *ids, args.samples).items():
            print(f"{name}={value:.2f}", flush=True)
        if args.profile:
            profile(registry, slots[2 * args.samples :], ids[1], ids[2])
    finally:
        if scratch and not args.keep:
            drop(db)


if __name__ == "__main__":
    main()
