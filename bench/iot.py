#!/usr/bin/env python3
# ruff: noqa: PLC0415  (Odoo is imported late, after the environment is prepared)
"""IoT intake benchmark: 200 boxes post signed batches of 50 events to a running Odoo (2 workers).

Run from the repository root with the installed Odoo:

    python bench/iot.py                 # scratch database, dropped afterwards (about 4 minutes)
    python bench/iot.py --seconds 15    # quick run
    python bench/iot.py --profile 200   # also profiles 200 intakes in process (to stderr)

It creates a fresh database with ``core_facility_iot`` (no demo data), registers 200 boxes on 200
instruments (their secrets set through ``facility.box._set_new_secret``), starts
``odoo-bin --workers=2`` on a free port, and lets 200 simulated boxes (threads in several client
processes, so that the client is not the bottleneck) post batches of 50 valid events with unique
ids and realistic types (power, card, PC login and logout, heartbeats, door) to
``/facility/iot/v1/events`` for ``--seconds``, each box posting its next batch when the last one
was answered. Then, in the same run, the floor: the same rows inserted by psycopg2
``execute_values`` in batches of 50 (``INSERT ... ON CONFLICT (box_id, uid) DO NOTHING``, one
commit a batch, as many connections as workers) into a table with the same columns, indexes and
unique key. It prints ``name=value`` lines:

* ``intake_events_per_s``: events accepted per second of the run, all boxes together;
* ``intake_p50_ms``, ``intake_p95_ms``: per batch, from the request to its answer (the queue in
  front of the two workers included);
* ``intake_events_per_s_per_worker``;
* ``sql_events_per_s``: the floor; ``ratio``: intake over floor (target >= 0.10);
* ``sent``: distinct events the boxes sent (whether their request got an answer or not);
  ``stored``: how many of them are in the table after the run;
* ``lost``: events sent that are not in the table (``sent - stored``); ``duplicated``: events
  answered *accepted* more than once (each delivery beyond the first) plus rows beyond one per
  (box, event id). Both must be 0.

PostgreSQL is reached through PGHOST, PGPORT, PGUSER, PGPASSWORD (default 127.0.0.1:5432).
"""

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking import check_odoo, drop, odoo_args, percentile  # noqa: E402

if "core_facility_iot" not in sys.modules:  # the addon's pure rules, without Odoo
    _package = types.ModuleType("core_facility_iot")
    _package.__path__ = [str(ROOT / "addons" / "core_facility_iot")]
    sys.modules["core_facility_iot"] = _package

from core_facility_iot.rules import signing  # noqa: E402

API = "/facility/iot/v1/events"
STEP_S = 20  # simulated seconds between two events of a box
WRAP = 100_000  # times wrap after 100,000 events (23 days): always within the intake's 90 days
# one box's day, over and over: the types a real box reports, heartbeats most of all
CYCLE = (
    ["door_open", "card_swipe", "power_on", "pc_login"]
    + ["heartbeat"] * 40
    + ["pc_logout", "power_off"]
    + ["heartbeat"] * 20
)


# -- the boxes (client processes) -------------------------------------------------------------


def box_events(index, first, count, base):
    """Events ``first`` .. ``first + count - 1`` of box ``index``: ids unique per box, times
    every ``STEP_S`` seconds from ``base`` (epoch seconds, 30 days ago)."""
    events = []
    for seq in range(first, first + count):
        kind = CYCLE[seq % len(CYCLE)]
        event = {
            "id": f"{seq:09d}",
            "type": kind,
            "ts": datetime.fromtimestamp(base + (seq % WRAP) * STEP_S, UTC).isoformat(),
        }
        if kind in ("card_swipe", "door_open"):
            event["card"] = f"BENCH{index:04d}"
        elif kind in ("pc_login", "pc_logout"):
            event["user"] = f"bench_box_user_{index:03d}"
        elif kind == "power_on":
            event["payload"] = {"watts": 450.0}
        events.append(event)
    return events


def post(url, serial, key, body, timeout=120, tries=5):
    """``(status, answer, tries used)``: a box posts again (newly signed) when it got no
    answer, as a real box does; a batch the server took before the connection broke then comes
    back as duplicates."""
    for attempt in range(1, tries + 1):
        status, answer = post_once(url, serial, key, body, timeout)
        if status is not None:
            break
        time.sleep(0.2 * attempt)
    return status, answer, attempt


def post_once(url, serial, key, body, timeout):
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Facility-Box": serial,
            "X-Facility-Timestamp": timestamp,
            "X-Facility-Signature": signing.signature(key, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (OSError, ValueError) as error:
        return None, {"error": type(error).__name__, "message": str(error)[:80]}


def run_boxes(url, boxes, batch, deadline, base, first_seq=0):
    """One client process: a thread per box, posting batch after batch until ``deadline``
    (epoch seconds). Returns latencies (ms), counts, and per box the ranges of event numbers
    it sent (``(first, count)``, answered or not) and the event numbers answered accepted
    (an event accepted twice appears twice)."""
    results = {"latency_ms": [], "counts": {}, "accepted": {}, "sent": {}, "ended": 0.0}
    lock = threading.Lock()

    def one_box(index, serial, key):
        seq, latencies, counts, accepted, sent = first_seq, [], {}, [], []
        while time.time() < deadline:
            events = box_events(index, seq, batch, base)
            body = json.dumps(events, separators=(",", ":")).encode()
            sent.append((seq, batch))
            started = time.perf_counter()
            status, answer, tries = post(url, serial, key, body)
            latencies.append((time.perf_counter() - started) * 1000)
            counts["retries"] = counts.get("retries", 0) + tries - 1
            counts[f"status_{status}"] = counts.get(f"status_{status}", 0) + 1
            counts["sent"] = counts.get("sent", 0) + len(events)
            if status is None:
                name = f"error_{answer['error']}"
                counts[name] = counts.get(name, 0) + 1
            if status == 200:
                for result in answer["results"]:
                    outcome = result["outcome"]
                    counts[outcome] = counts.get(outcome, 0) + 1
                    if outcome == "accepted":
                        accepted.append(int(result["id"]))
            seq += batch
        with lock:
            results["latency_ms"] += latencies
            for name, value in counts.items():
                results["counts"][name] = results["counts"].get(name, 0) + value
            results["accepted"][serial] = accepted
            results["sent"][serial] = sent
            results["ended"] = max(results["ended"], time.time())

    threads = [
        threading.Thread(target=one_box, args=(index, serial, key)) for index, serial, key in boxes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- the floor --------------------------------------------------------------------------------


def floor_rows(box_id, instrument_id, index, first, count, base, now):
    rows = []
    for event in box_events(index, first, count, base):
        rows.append(
            (
                box_id,
                instrument_id,
                event["id"],
                event["type"],
                datetime.fromisoformat(event["ts"]).replace(tzinfo=None),
                event.get("card"),
                event.get("user"),
                None,
                None,
                json.dumps(event["payload"]) if "payload" in event else None,
                now,
                "http",
                1,
                now,
                1,
                now,
            )
        )
    return rows


def run_floor(dsn, boxes, batch, deadline, base):
    """One connection inserting batches of the same rows into ``bench_floor_event``, one
    commit a batch, round robin over ``boxes`` ((box id, instrument id, index))."""
    import psycopg2
    from psycopg2.extras import execute_values

    conn = psycopg2.connect(**dsn)
    cur = conn.cursor()
    inserted, seqs, turn = 0, dict.fromkeys(range(len(boxes)), 0), 0
    while time.time() < deadline:
        slot = turn % len(boxes)
        box_id, instrument_id, index = boxes[slot]
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = floor_rows(box_id, instrument_id, index, seqs[slot], batch, base, now)
        done = execute_values(
            cur,
            """INSERT INTO bench_floor_event (box_id, instrument_id, uid, event_type, ts, card,
                   login, user_id, snapshot, payload, received_at, channel, create_uid,
                   create_date, write_uid, write_date)
               VALUES %s ON CONFLICT (box_id, uid) DO NOTHING RETURNING uid""",
            rows,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)",
            page_size=len(rows),
            fetch=True,
        )
        conn.commit()
        inserted += len(done)
        seqs[slot] += batch
        turn += 1
    conn.close()
    return inserted


# -- the server and the database ----------------------------------------------------------------


def free_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


LAUNCHER = """#!/usr/bin/env python3
# Written by bench/iot.py: starts Odoo as odoo-bin does, with two differences (bench/README.md):
# - the websocket process the prefork server spawns as "<this script> gevent" stays idle: the
#   boxes never use it (and on some machines gevent's plugin check fails and it respawns);
# - the listen backlog is 1024 instead of Odoo's 8 per worker: 200 boxes connecting at once
#   overflow 16, and the kernel then drops and resets connections; in production the reverse
#   proxy in front of the workers holds that queue.
import signal
import socket
import sys

if sys.argv[1:2] == ["gevent"]:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()

_listen = socket.socket.listen


def listen(self, backlog=128):
    return _listen(self, max(backlog, BACKLOG))


socket.socket.listen = listen
import odoo  # noqa: E402

odoo.cli.main()
""".replace("BACKLOG", "1024")


def odoo_launcher(folder):
    """The command that starts Odoo: a launcher script in ``folder`` (see ``LAUNCHER``)."""
    script = Path(folder) / "odoo-bench"
    script.write_text(LAUNCHER, encoding="utf-8")
    script.chmod(0o755)
    return [sys.executable, str(script)]


def install(db):
    command = [sys.executable, "-m", "odoo", *odoo_args(db), "-i", "core_facility_iot"]
    command += ["--without-demo=all", "--stop-after-init", "--log-level=warn", "--http-port=0"]
    subprocess.run(command, check=True, env=dict(os.environ, TZ="UTC"))


def start_server(db, port, workers, logfile):
    command = [*odoo_launcher(Path(logfile).parent), *odoo_args(db), f"--workers={workers}"]
    command += ["--http-interface=127.0.0.1", f"--http-port={port}", "--max-cron-threads=0"]
    command += [f"--db-filter=^{db}$", "--log-level=warn", f"--logfile={logfile}"]
    command += ["--limit-time-real=600", "--limit-time-cpu=600"]
    server = subprocess.Popen(command, env=dict(os.environ, TZ="UTC"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"error: the Odoo server stopped (see {logfile})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"error: the Odoo server did not answer in 120 s (see {logfile})")


def register(registry, count):
    """``count`` instruments with one box each; returns [(box id, instrument id, serial, key)]."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nosync": True}
        )
        unit = env["facility.unit"].create({"name": "Bench Center", "unit_type": "platform"})
        instruments = env["facility.instrument"].create(
            [{"name": f"Bench instrument {i:03d}", "unit_id": unit.id} for i in range(count)]
        )
        boxes = env["facility.box"].create(
            [
                {
                    "serial": f"BENCH-{i:03d}",
                    "instrument_id": instrument.id,
                    "control_pc": True,
                    "control_power": True,
                    "control_door": True,
                }
                for i, instrument in enumerate(instruments)
            ]
        )
        out = []
        for box in boxes:
            secret = box._set_new_secret()
            out.append((box.id, box.instrument_id.id, box.serial, signing.secret_hash(secret)))
        cr.execute(
            "CREATE TABLE bench_floor_event "
            "(LIKE facility_box_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        cr.execute("CREATE SEQUENCE bench_floor_event_id_seq OWNED BY bench_floor_event.id")
        cr.execute(
            "ALTER TABLE bench_floor_event "
            "ALTER COLUMN id SET DEFAULT nextval('bench_floor_event_id_seq')"
        )
        cr.commit()
    return out


def dsn_of(registry):
    with registry.cursor() as cr:
        info = dict(cr._cnx.info.dsn_parameters)
    return {
        "dbname": info["dbname"],
        "host": info.get("host"),
        "port": info.get("port"),
        "user": info.get("user"),
        "password": os.environ.get("PGPASSWORD"),
    }


def split(items, parts):
    return [items[k::parts] for k in range(parts) if items[k::parts]]


def measure_intake(port, boxes, args, base):
    url = f"http://127.0.0.1:{port}{API}"
    # warm-up: every worker loads the registry on its first request (not timed)
    warm_deadline = time.time() + 5
    run_boxes(
        url,
        [(i, s, k) for i, (_b, _inst, s, k) in enumerate(boxes[:8])],
        10,
        warm_deadline,
        base,
        first_seq=10**8,
    )
    clients = split([(i, s, k) for i, (_b, _inst, s, k) in enumerate(boxes)], args.procs)
    context = multiprocessing.get_context("spawn")
    started = time.time() + 2  # the processes start, then all boxes post at once
    deadline = started + args.seconds
    with context.Pool(len(clients)) as pool:
        pending = [
            pool.apply_async(run_boxes, (url, chunk, args.batch, deadline, base))
            for chunk in clients
        ]
        results = [p.get() for p in pending]
    ended = max(r["ended"] for r in results)
    latencies = [ms for r in results for ms in r["latency_ms"]]
    counts = {}
    for result in results:
        for name, value in result["counts"].items():
            counts[name] = counts.get(name, 0) + value
    accepted, sent = {}, {}
    for result in results:
        accepted.update(result["accepted"])
        sent.update(result["sent"])
    return latencies, counts, accepted, sent, ended - started


def tally_store(sent, accepted, stored, rows):
    """``(sent, stored, lost, duplicated)`` of a run from what the boxes sent and were told and
    what the table holds. ``sent``: {serial: [(first number, count), ...]} of every request
    (answered or not); ``accepted``: {serial: [number answered accepted, ...]}; ``stored``: the
    set of (serial, uid) in the table; ``rows``: its row count. Lost: sent, not stored.
    Duplicated: each *accepted* answer beyond the first for one event, plus the rows beyond
    one per (box, uid)."""
    ids = {
        (serial, f"{number:09d}")
        for serial, ranges in sent.items()
        for first, count in ranges
        for number in range(first, first + count)
    }
    kept = ids & stored
    answers = {}
    for serial, numbers in accepted.items():
        for number in numbers:
            answers[serial, number] = answers.get((serial, number), 0) + 1
    duplicated = sum(times - 1 for times in answers.values()) + rows - len(stored)
    return len(ids), len(kept), len(ids) - len(kept), duplicated


def count_store(registry, boxes, accepted, sent):
    """``(sent, stored, lost, duplicated)`` after the run (see ``tally_store``)."""
    serial_of = {box_id: serial for box_id, _i, serial, _k in boxes}
    with registry.cursor() as cr:
        cr.execute("SELECT box_id, uid FROM facility_box_event")
        rows = cr.fetchall()
    stored = {(serial_of.get(box_id), uid) for box_id, uid in rows}
    return tally_store(sent, accepted, stored, len(rows))


def measure_floor(dsn, boxes, args, base):
    context = multiprocessing.get_context("spawn")
    chunks = split([(b, inst, i) for i, (b, inst, _s, _k) in enumerate(boxes)], args.workers)
    started = time.time() + 1
    deadline = started + args.seconds
    with context.Pool(len(chunks)) as pool:
        pending = [
            pool.apply_async(run_floor, (dsn, chunk, args.batch, deadline, base))
            for chunk in chunks
        ]
        inserted = sum(p.get() for p in pending)
    return inserted / (time.time() - started)


def profile(registry, boxes, count, batch, base):
    """``count`` intakes of ``batch`` events in process, each committed, under pyinstrument."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("error: --profile needs pyinstrument (pip install -r bench/requirements.txt)")
    from odoo import SUPERUSER_ID, api, sql_db

    _box_id, _instrument, serial, key = boxes[-1]
    index = len(boxes) - 1
    profiler = Profiler(interval=0.001, use_timing_thread=True)
    queries = sql_db.sql_counter
    started = time.perf_counter()
    profiler.start()
    for k in range(count):
        body = json.dumps(box_events(index, 10**9 - (k + 1) * batch, batch, base)).encode()
        timestamp = str(int(time.time()))
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            status, _answer = env["facility.box.event"]._receive(
                serial, timestamp, signing.signature(key, timestamp, body), body, "http"
            )
            assert status == 200, status
            cr.commit()
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(f"profile_batches={count}", file=sys.stderr)
    print(f"profile_ms_per_batch={elapsed * 1000 / count:.2f}", file=sys.stderr)
    print(
        f"profile_queries_per_batch={(sql_db.sql_counter - queries) / count:.1f}", file=sys.stderr
    )
    print(profiler.output_text(unicode=False, color=False), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--boxes", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50, help="events a request")
    parser.add_argument("--workers", type=int, default=2, help="Odoo workers")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N intakes")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    check_odoo()
    os.environ["TZ"] = "UTC"
    time.tzset()
    random.seed(42)
    db = f"core_facility_iot_bench_{int(time.time())}"
    folder = Path(tempfile.mkdtemp(prefix="iot-bench-"))
    logfile = folder / "odoo.log"
    server = None
    try:
        started = time.perf_counter()
        install(db)
        import odoo

        odoo.tools.config.parse_config(odoo_args(db), setup_logging=False)
        registry = odoo.modules.registry.Registry(db)
        boxes = register(registry, args.boxes)
        base = int(time.time() - timedelta(days=30).total_seconds())
        port = free_port()
        server = start_server(db, port, args.workers, logfile)
        print(f"boxes={len(boxes)}")
        print(f"setup_s={time.perf_counter() - started:.1f}", flush=True)

        latencies, counts, accepted, sent, seconds = measure_intake(port, boxes, args, base)
        server.terminate()
        server.wait(60)
        server = None
        rate = counts.get("accepted", 0) / seconds
        errors = sum(v for k, v in counts.items() if k.startswith("status_") and k != "status_200")
        print(f"seconds={seconds:.1f}")
        print(f"batches={len(latencies)}")
        print(f"events_sent={counts.get('sent', 0)}")
        print(f"accepted={counts.get('accepted', 0)}")
        print(f"duplicate_answers={counts.get('duplicate', 0)}")
        print(f"rejected={counts.get('rejected', 0)}")
        print(f"failed_requests={errors}")
        print(f"retries={counts.get('retries', 0)}")
        for name in sorted(k for k in counts if k.startswith(("status_", "error_"))):
            print(f"{name}={counts[name]}")
        print(f"intake_events_per_s={rate:.0f}")
        print(f"intake_p50_ms={statistics.median(latencies):.1f}")
        print(f"intake_p95_ms={percentile(latencies, 95):.1f}")
        print(f"intake_events_per_s_per_worker={rate / args.workers:.0f}", flush=True)

        sent_ids, stored, lost, duplicated = count_store(registry, boxes, accepted, sent)
        floor = measure_floor(dsn_of(registry), boxes, args, base)
        print(f"sql_events_per_s={floor:.0f}")
        print(f"ratio={rate / floor:.3f}")
        print(f"sent={sent_ids}")
        print(f"stored={stored}")
        print(f"lost={lost}")
        print(f"duplicated={duplicated}", flush=True)
        if args.profile:
            profile(registry, boxes, args.profile, args.batch, base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(60)
        if not args.keep:
            drop(db)


if __name__ == "__main__":
    main()
