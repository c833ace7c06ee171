"""Members of one research group booking at the same moment, over JSON-RPC, against a running Odoo.

Creates (as admin, over XML-RPC) a research group of N members, an instrument whose policy counts
their bookings (the committee's allocation, 24 h next month, or a weekly group quota of 8 h), then
N threads each log in as one member and book 8 h (allocation) or 5 h (quota) on different days at
the same moment. Prints ``name=value`` lines: how many bookings were created and refused, the
hours booked against the limit, the refusals by kind (a server error would show here), and the
slowest answer. The counting rule holds when ``booked_hours`` <= ``limit_hours``.

    python bench/concurrency.py --url http://127.0.0.1:8069 --db core_facility_demo [--rule quota]

Run it against a server with workers (``--workers=2``), as in production.
"""

import argparse
import http.cookiejar
import json
import threading
import time
import urllib.request
import xmlrpc.client
from datetime import date, datetime, timedelta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="core_facility_demo")
    parser.add_argument("--admin", default="admin", help="admin login (password: the same)")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--rule", choices=("allocation", "quota"), default="allocation")
    args = parser.parse_args()
    setup = _Setup(args)
    results = _race(args, setup)
    created = [r for r in results if "result" in r[1]]
    refused = {}
    for _latency, answer in results:
        if "error" in answer:
            data = answer["error"]["data"]
            kind = data["name"].rsplit(".", 1)[-1]
            rule = data["message"].splitlines()[-1].split(":")[0].strip("- ")
            refused[f"{kind}:{rule}"] = refused.get(f"{kind}:{rule}", 0) + 1
    booked = setup.call(
        "facility.booking",
        "search_read",
        [("instrument_id", "=", setup.instrument)],
        ["duration_hours"],
    )
    print(f"members={args.members}")
    print(f"rule={args.rule}")
    print(f"created={len(created)}")
    print(f"refused={sum(refused.values())}")
    for kind, count in sorted(refused.items()):
        print(f"refused[{kind}]={count}")
    print(f"booked_hours={sum(b['duration_hours'] for b in booked):g}")
    print(f"limit_hours={setup.limit:g}")
    print(f"max_latency_s={max(r[0] for r in results):.2f}")


class _Setup:
    def __init__(self, args):
        self.db, self.admin = args.db, args.admin
        common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
        self.uid = common.authenticate(args.db, args.admin, args.admin, {})
        self.models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)
        self.tag = str(int(time.time()))
        group_user = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", "core_facility"), ("name", "=", "group_facility_user")],
            ["res_id"],
        )[0]["res_id"]
        self.logins = [f"race{i}_{self.tag}" for i in range(args.members)]
        self.users = [
            self.call(
                "res.users",
                "create",
                {
                    "name": f"Race member {i} {self.tag}",
                    "login": login,
                    "password": login,
                    "groups_id": [(4, group_user)],
                    "tz": "Asia/Shanghai",
                },
            )
            for i, login in enumerate(self.logins)
        ]
        unit = self.call("facility.unit", "create", {"name": f"Race unit {self.tag}"})
        policy = {"name": f"Race policy {self.tag}", "cancel_notice_minutes": 0}
        if args.rule == "allocation":
            policy.update(allocation_required=True, auto_confirm=False)
            self.limit, self.hours = 24, 8
        else:
            policy["quota_ids"] = [(0, 0, {"scope": "group", "period": "week", "limit": 8})]
            self.limit, self.hours = 8, 5
        policy_id = self.call("facility.booking.policy", "create", policy)
        self.instrument = self.call(
            "facility.instrument",
            "create",
            {
                "name": f"Race instrument {self.tag}",
                "unit_id": unit,
                "booking_policy_id": policy_id,
            },
        )
        self.group = self.call(
            "facility.research.group",
            "create",
            {
                "name": f"Race group {self.tag}",
                "pi_id": self.users[0],
                "member_ids": [(6, 0, self.users)],
            },
        )
        today = date.today()
        self.month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        # a Monday inside next month: the quota's week holds every booking of the race
        self.monday = self.month + timedelta(days=(7 - self.month.weekday()) % 7)
        if args.rule == "allocation":
            self.call(
                "facility.booking.allocation",
                "create",
                {
                    "instrument_id": self.instrument,
                    "research_group_id": self.group,
                    "month": self.month.isoformat(),
                    "hours": self.limit,
                },
            )

    def call(self, model, method, *args):
        return self.models.execute_kw(self.db, self.uid, self.admin, model, method, list(args))

    def values(self, index, rule):
        if rule == "allocation":
            day = datetime.combine(self.month, datetime.min.time()) + timedelta(days=1 + index)
            start = day + timedelta(hours=1)
        else:  # one week: five days, several members a day at different hours
            day = datetime.combine(self.monday, datetime.min.time()) + timedelta(days=index % 5)
            start = day + timedelta(hours=index // 5 * 5 % 20)
        return {
            "instrument_id": self.instrument,
            "operator_id": self.users[index],
            "research_group_id": self.group,
            "purpose": f"race {index}",
            "date_start": start.strftime("%Y-%m-%d %H:%M:%S"),
            "date_stop": (start + timedelta(hours=self.hours)).strftime("%Y-%m-%d %H:%M:%S"),
        }


def _session(url, db, login):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def rpc(path, params):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        request = urllib.request.Request(
            url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=300) as response:
            return json.loads(response.read())

    answer = rpc("/web/session/authenticate", {"db": db, "login": login, "password": login})
    if "result" not in answer:
        raise SystemExit(f"cannot log in as {login}: {answer}")
    return rpc


def _race(args, setup):
    sessions = [_session(args.url, args.db, login) for login in setup.logins]
    results = [None] * args.members
    barrier = threading.Barrier(args.members)

    def book(index):
        values = setup.values(index, args.rule)
        barrier.wait()
        started = time.perf_counter()
        answer = sessions[index](
            "/web/dataset/call_kw/facility.booking/create",
            {
                "model": "facility.booking",
                "method": "create",
                "args": [values],
                "kwargs": {"context": {"lang": "en_US"}},
            },
        )
        results[index] = (time.perf_counter() - started, answer)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(args.members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    main()
