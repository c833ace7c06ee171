"""Demo data only: the bookings of a living imaging center.

:meth:`FacilityBooking._demo_populate_bookings` fills eight past weeks and three coming weeks of
every bookable demo instrument, deterministically (a seeded generator) and relative to today, in
the instruments' wall-clock time:

- the past as the center recorded it: finished bookings with their measured time, time released
  early (and taken by the waitlist), under-used and no-show bookings, cancellations in time and
  late, requests the managers rejected; written as superuser with the rules skipped, as history;
- the coming weeks booked by the users themselves through the booking rules, so that they hold
  only what the rules allow (horizons, monthly opening, allocations, quotas, slots, working
  hours); requests on Titan, Talos and Helios wait for their managers, who confirm some of them
  (competing requests are rejected and put on the waitlist); a few bookings are cancelled and
  their time offered to the waitlist. Bookings of the current month on instruments with
  allocated hours were made before the allocation deadline: they are written as history too.

Operators are members of the booking's research group holding the instrument's certification on
the day; allocations, quotas and suspensions are respected; nobody is at two instruments at once.
"""

import logging
import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..rules import booking as rules
from ..rules import certification as cert_rules
from ..rules.codes import BookingState as S
from ..rules.codes import LevelRole
from .utils import to_local, to_utc

_logger = logging.getLogger(__name__)

SEED = 20160318  # the date of the seed's rules
PAST_WEEKS = 8
FUTURE_DAYS = 21
# Demo research groups whose Titan work belongs to the reserved programme (CAS pilot projects).
RESERVED_GROUPS = ("core_facility.research_group_zhangxinzheng_demo",)

# Instruments (xml ids) -> (family, bookings a week (min, max)).
INSTRUMENTS = {
    "instrument_titan_demo": ("titan", (5, 7)),
    "instrument_talos_demo": ("talos", (4, 6)),
    "instrument_t20_demo": ("t20", (3, 6)),
    "instrument_spirit_demo": ("spirit", (4, 6)),
    "instrument_helios_demo": ("helios", (2, 3)),
    "instrument_afm_demo": ("afm", (2, 4)),
    "instrument_omx_demo": ("light", (2, 4)),
    "instrument_palm_demo": ("light", (2, 3)),
    "instrument_tirf_demo": ("light", (2, 4)),
    "instrument_fv1000_demo": ("light", (3, 6)),
    "instrument_fv1200_demo": ("light", (3, 6)),
    "instrument_andor_sdc_demo": ("light", (2, 5)),
    "instrument_marianas_demo": ("light", (2, 4)),
    "instrument_fv1000mpe_demo": ("light", (2, 3)),
    "instrument_hpm100_demo": ("precool", (2, 3)),
    "instrument_pact2_demo": ("prep", (1, 3)),
    "instrument_afs2_a_demo": ("afs2", (1, 2)),
    "instrument_afs2_b_demo": ("afs2", (1, 2)),
    "instrument_afs2_c_demo": ("afs2", (1, 1)),
    "instrument_uc6_1_demo": ("prep", (3, 5)),
    "instrument_uc6_2_demo": ("prep", (2, 4)),
    "instrument_fc7_demo": ("precool", (1, 3)),
}

PURPOSES = {
    "titan": [
        "膜转运蛋白单颗粒数据收集",
        "离子通道单颗粒数据收集",
        "GPCR–G蛋白复合物数据收集",
        "线粒体呼吸链超级复合物数据收集",
        "病毒颗粒高分辨结构数据收集",
        "细胞原位冷冻电子断层成像",
        "冷冻含水切片电子断层成像",
    ],
    "titan_reserved": [
        "院先导项目：染色质高级结构数据收集",
        "院先导项目：核小体–转录因子复合物数据收集",
    ],
    "talos": [
        "冷冻样品筛选（冰层与颗粒分布）",
        "冷冻制样条件优化",
        "小数据集收集（初始模型）",
        "冷冻电子断层倾转系列采集",
        "FIB 减薄薄片检查",
    ],
    "t20": [
        "负染样品观察",
        "冷冻样品筛选（低温样品杆）",
        "电子断层倾转系列采集",
        "超薄切片观察",
        "免疫胶体金标记观察",
    ],
    "spirit": [
        "蛋白负染样品检查",
        "脂质体负染筛选",
        "病毒颗粒负染检查",
        "超薄切片观察（线虫）",
        "细胞超微结构观察",
    ],
    "helios": [
        "冷冻 FIB 减薄制备含水薄片",
        "连续切削体成像（FIB-SEM）",
        "小鼠脑组织三维重构",
        "酵母细胞冷冻减薄",
    ],
    "afm": [
        "DNA 折纸结构成像",
        "膜蛋白二维晶体形貌测量",
        "纳米颗粒表面形貌表征",
        "液相中蛋白纤维成像",
    ],
    "light": [
        "固定细胞免疫荧光成像",
        "组织切片多色成像",
        "活细胞钙成像",
        "线粒体形态观察",
        "活细胞延时成像",
        "斑马鱼胚胎成像",
        "中心体蛋白定位",
    ],
    "precool": [
        "线虫高压冷冻固定",
        "酵母高压冷冻",
        "培养细胞高压冷冻（蓝宝石片）",
        "冷冻含水切片（CEMOVIS）",
        "Tokuyasu 冷冻切片",
    ],
    "prep": [
        "树脂块超薄切片（70 nm）",
        "连续超薄切片收集",
        "半薄切片定位",
        "培养细胞高压冷冻",
    ],
    "afs2": [
        "冷冻替代（锇酸–醋酸铀丙酮）",
        "低温包埋（Lowicryl HM20）",
        "快速冷冻替代",
        "冷冻替代及树脂渗透",
    ],
}
# Reasons a manager typed when rejecting a request.
REJECT_REASONS = [
    "样品尚未完成 TEM 检查，请检查合格后再预约。",
    "冷冻样品冰层过厚，建议先在 Talos 上筛选样品。",
    "该时段安排了工程师调试，请改约其他时间。",
    "实验方案尚未与管理员确认，请先联系管理员。",
]
# Families whose sessions run unattended (the operator may be elsewhere meanwhile).
UNATTENDED = {"afs2"}
# Weekday weights (Monday first): some families run around the clock.
WEEKDAYS = {
    "titan": (1, 1, 1, 1, 1, 0.8, 0.8),
    "talos": (1, 1, 1, 1, 1, 0.4, 0.3),
    "afs2": (1, 1, 1, 1, 1, 0.2, 0.2),
    "light": (1, 1, 1, 1, 1, 0.15, 0.1),
}
WORKWEEK = (1, 1, 1, 1, 1, 0, 0)


class FacilityBooking(models.Model):
    _inherit = "facility.booking"

    @api.model
    def _demo_populate_bookings(self):
        """Demo data only (superuser): see the module docstring."""
        if not self.env.su:
            raise AccessError(self.env._("Only the demo data loader fills the demo bookings."))
        _DemoCenter(self.env).populate()
        # Allocated hours that lapsed are recorded as the hourly job would.
        self.env["facility.booking.allocation"]._cron_forfeit()


class _DemoCenter:
    """The state of the generation: who and what is busy when, and the allocations used."""

    def __init__(self, env):
        self.env = env
        self.rng = random.Random(SEED)
        self.now = fields.Datetime.now().replace(second=0, microsecond=0)
        self.busy = defaultdict(list)  # instrument id -> [(start, stop)] UTC, held or asked
        self.user_busy = defaultdict(list)  # user id -> [(start, stop)] UTC, attended
        self.alloc_used = defaultdict(float)  # (instrument, group, month) -> hours
        self.quota_days = defaultdict(set)  # ("user"|"group", id, instrument, month) -> days
        self.history = []  # values of past bookings, created at once
        self.future = []  # (instrument, values) booked by the users through the rules
        self.held_cache = {}
        self.operator_cache = {}
        self.independent_level = {}
        self.reserved_groups = set()
        for xmlid in RESERVED_GROUPS:
            group = env.ref(xmlid, raise_if_not_found=False)
            if group:
                self.reserved_groups.add(group.id)
        self.stats = defaultdict(int)
        # Read once: groups, qualifications, allocations (they do not change while generating).
        self.groups = env["facility.research.group"].sudo().search([], order="id")
        structure = env["facility.certification.level"]._level_structure()
        self.prerequisite_of = {k: v[0] for k, v in structure.items()}
        self.scope_of = {k: v[1] for k, v in structure.items()}
        self.grants = defaultdict(list)  # (user, instrument) -> [(level, granted, expiry)]
        for qualification in env["facility.qualification"].sudo().search([]):
            self.grants[qualification.user_id.id, qualification.instrument_id.id].append(
                (
                    qualification.level_id.id,
                    qualification.date_granted,
                    qualification.date_expiry,
                )
            )
        self.allocated = {
            (a.instrument_id.id, a.research_group_id.id, a.month): a.hours + a.second_round_hours
            for a in env["facility.booking.allocation"].sudo().search([])
        }

    # -- set-up ---------------------------------------------------------------------------------

    def populate(self):
        env = self.env
        Booking = env["facility.booking"].sudo()
        instruments = []
        for xmlid, (family, per_week) in INSTRUMENTS.items():
            instrument = env.ref(f"core_facility.{xmlid}", raise_if_not_found=False)
            if instrument and instrument.active and instrument.booking_mode == "booking":
                instruments.append((instrument, family, per_week))
        if not instruments:
            return
        for booking in Booking.search([("state", "not in", (S.CANCELLED, S.REJECTED))]):
            self._hold(
                booking.instrument_id,
                booking.operator_id,
                booking.date_start,
                booking.date_stop,
                attended=True,
            )
            self._count(
                booking.instrument_id,
                booking.research_group_id,
                booking.operator_id,
                booking.date_start,
                booking.date_stop,
            )
        for instrument, family, per_week in instruments:
            self._plan_instrument(instrument, family, per_week)
        self._create_history()
        self._create_future()
        _logger.info("Demo bookings: %s", dict(self.stats))

    def _plan_instrument(self, instrument, family, per_week):
        tz = instrument._booking_tz()
        today = to_local(self.now, tz).date()
        first = rules.week_start(today) - timedelta(weeks=PAST_WEEKS)
        last = today + timedelta(days=FUTURE_DAYS)
        window = (
            to_utc(datetime.combine(first, time()), tz),
            to_utc(datetime.combine(last + timedelta(days=2), time()), tz),
        )
        for reserved in instrument._reserved_intervals(*window):
            self.busy[instrument.id].append((reserved["start"], reserved["stop"]))
        out_of_service = self._out_of_service_since(instrument)
        week = first
        while week <= last:
            for _n in range(self.rng.randint(*per_week)):
                for _try in range(6):
                    if self._try_session(instrument, family, tz, week, today, last, out_of_service):
                        break
            week += timedelta(weeks=1)

    def _out_of_service_since(self, instrument):
        """The day an instrument under repair stopped (its oldest open maintenance request)."""
        if instrument.state == "in_service":
            return None
        requests = (
            self.env["maintenance.request"]
            .sudo()
            .search(
                [("equipment_id", "=", instrument.equipment_id.id), ("stage_id.done", "=", False)],
                order="request_date",
                limit=1,
            )
        )
        return requests.request_date or to_local(self.now, instrument._booking_tz()).date()

    # -- one session ----------------------------------------------------------------------------

    def _try_session(self, instrument, family, tz, week, today, last, out_of_service):
        rng = self.rng
        weights = WEEKDAYS.get(family, WORKWEEK)
        day = week + timedelta(days=rng.choices(range(7), weights=weights)[0])
        if day > last or (out_of_service and day >= out_of_service):
            return False
        start, stop, needs_independent, extra = self._shape(family, day)
        start_utc, stop_utc = to_utc(start, tz), to_utc(stop, tz)
        future = start_utc >= self.now
        if future and not self._bookable_ahead(instrument, day, today, "internal"):
            return False
        if self._overlaps(self.busy[instrument.id], start_utc, stop_utc):
            return False
        pairs = list(self._operators(instrument, day, needs_independent))
        rng.shuffle(pairs)
        # long sessions (overnight collection, freeze substitution) run without the operator
        attended = family not in UNATTENDED and stop - start <= timedelta(hours=10)
        for user, group in pairs:
            if attended and self._overlaps(self.user_busy[user.id], start_utc, stop_utc):
                continue
            if (
                future
                and group.category == "external"
                and not self._bookable_ahead(instrument, day, today, "external")
            ):
                continue
            if not self._within_allocation(
                instrument, group, user, start, stop, start_utc, stop_utc
            ):
                continue
            purposes = PURPOSES[family]
            if group.id in self.reserved_groups and instrument.booking_policy_id.reserved_share:
                purposes = PURPOSES["titan_reserved"]
                extra = dict(extra, reserved_project=True)
            vals = {
                "instrument_id": instrument.id,
                "operator_id": user.id,
                "booked_by_id": user.id,
                "research_group_id": group.id,
                "purpose": rng.choice(purposes),
                "date_start": start_utc,
                "date_stop": stop_utc,
                **extra,
            }
            self._hold(instrument, user, start_utc, stop_utc, attended)
            self._count(instrument, group, user, start_utc, stop_utc)
            self._place(instrument, family, vals, day, today)
            return True
        return False

    def _shape(self, family, day):
        """(start, stop, needs the independent-use level, extra values) of a session on ``day``
        in local time, as people of this family of instruments book."""
        rng = self.rng
        at = lambda hours, days=0: (  # noqa: E731
            datetime.combine(day, time()) + timedelta(days=days, hours=hours)
        )
        r = rng.random()
        if family == "titan":
            if r < 0.55:
                return at(8.5), at(8.5, rng.choice((1, 1, 2))), False, {}
            if r < 0.8:
                return at(8.5), at(18), False, {}
            return at(18), at(8.5, 1), False, {}
        if family == "talos":
            if r < 0.5 and day.weekday() < 5:
                return at(8.5), at(17), False, {}
            if r < 0.8:
                return at(18), at(8, 1), False, {"long_collection": True}
            return at(8.5), at(8, 1), False, {"long_collection": True}
        if family == "t20" and r < 0.2:
            return at(18), at(8, 1), True, {"cryo_holder": rng.random() < 0.5}
        if family in ("t20", "spirit"):
            begin = rng.choice((8.5, 9, 9.5, 10, 13, 13.5, 14))
            length = min(rng.choice((2, 2.5, 3, 3, 4)), 17 - begin)
            extra = {"cryo_holder": True} if family == "t20" and rng.random() < 0.3 else {}
            return at(begin), at(begin + length), False, extra
        if family == "helios":
            begin, length = rng.choice(((9, 8), (9, 8), (9, 8), (9, 4), (13, 4)))
            return at(begin), at(begin + length), False, {"preparation_done": True}
        if family == "afs2":
            return at(0), at(0, rng.choice((2, 3, 3, 4))), False, {}
        if family == "light":
            begin = rng.choice((8.5, 9, 10, 10.5, 13, 14, 15, 16, 18))
            length = rng.choice((1, 1.5, 2, 2, 3, 4))
            return at(begin), at(min(begin + length, 22)), False, {}
        if family == "precool":
            begin = rng.choice((9, 9.5, 10, 14))
            return at(begin), at(begin + rng.choice((2, 2.5, 3))), False, {}
        begin = rng.choice((9, 9.5, 10, 13.5, 14))  # afm, prep
        return at(begin), at(begin + rng.choice((2, 3, 3, 4))), False, {}

    def _bookable_ahead(self, instrument, day, today, category):
        """Whether the policy lets a group of ``category`` book ``day`` today (horizon and
        monthly opening): the coming weeks hold only what could be booked by now."""
        policy = instrument.booking_policy_id
        if not policy:
            return True
        rule = policy._to_rules()
        count = rule.horizon_external if category == "external" else rule.horizon_internal
        last = rules.horizon_last_day(today, rule.horizon_unit, count)
        if last is not None and day > last:
            return False
        target = rules.month_start(day)
        if rule.monthly_opening and target > rules.month_start(today):
            opens = rules.monthly_open_date(target, rule.monthly_open_days)
            if target > rules.next_month_start(today) or today < opens:
                return False
        return True

    def _operators(self, instrument, day, needs_independent):
        """(user, group) pairs who may use ``instrument`` on ``day``, in a stable order: active
        members of groups not suspended that day (their PIs leave the instruments to them),
        holding the instrument's certification (and the independent-use level when asked)."""
        key = (instrument.id, day, needs_independent)
        if key in self.operator_cache:
            return self.operator_cache[key]
        required = instrument.required_level_id
        independent = None
        if needs_independent:
            if instrument.id not in self.independent_level:
                self.independent_level[instrument.id] = instrument._level_for_role(
                    LevelRole.INDEPENDENT
                )
            independent = self.independent_level[instrument.id]
        pairs = []
        for group in self.groups:
            if group._is_restricted_on(day):
                continue
            for user in group.member_ids.sorted("id"):
                if not user.active or user == group.pi_id:
                    continue
                held = self._held(user, instrument, day)
                if required and required.id not in held:
                    continue
                if independent and independent.id not in held:
                    continue
                pairs.append((user, group))
        self.operator_cache[key] = tuple(pairs)
        return self.operator_cache[key]

    def _held(self, user, instrument, day):
        """Levels ``user`` holds on ``instrument`` on ``day`` (as the qualification model says,
        from the qualifications read once)."""
        key = (user.id, instrument.id, day)
        if key not in self.held_cache:
            granted = [
                level
                for level, granted, expiry in self.grants[user.id, instrument.id]
                if cert_rules.is_current(granted, expiry, day)
            ]
            self.held_cache[key] = cert_rules.held_levels(
                granted, self.prerequisite_of, self.scope_of
            )
        return self.held_cache[key]

    def _within_allocation(self, instrument, group, user, start, stop, start_utc, stop_utc):
        """Allocated hours left to the group that month, and the policy's workday quotas."""
        policy = instrument.booking_policy_id
        if not policy:
            return True
        if policy.allocation_required:
            key = (instrument.id, group.id, rules.month_start(start.date()))
            hours = (stop_utc - start_utc).total_seconds() / 3600
            if self.alloc_used[key] + hours > self.allocated.get(key, 0.0) + 1e-9:
                return False
        for quota in policy.quota_ids.filtered("enabled"):
            if quota.unit != "workdays":
                continue
            who = user.id if quota.scope == "user" else group.id
            key = (quota.scope, who, instrument.id, rules.period_key(start.date(), quota.period))
            days = {d for d in rules.booked_days(start, stop) if d.weekday() < 5}
            if len(self.quota_days[key] | days) > quota.limit:
                return False
        return True

    def _hold(self, instrument, user, start, stop, attended):
        self.busy[instrument.id].append((start, stop))
        if attended:
            self.user_busy[user.id].append((start, stop))

    def _count(self, instrument, group, user, start, stop):
        policy = instrument.booking_policy_id
        if not policy:
            return
        tz = instrument._booking_tz()
        local_start, local_stop = to_local(start, tz), to_local(stop, tz)
        if policy.allocation_required:
            month = rules.month_start(local_start.date())
            hours = (stop - start).total_seconds() / 3600
            self.alloc_used[instrument.id, group.id, month] += hours
        for quota in policy.quota_ids.filtered("enabled"):
            who = user.id if quota.scope == "user" else group.id
            key = (
                quota.scope,
                who,
                instrument.id,
                rules.period_key(local_start.date(), quota.period),
            )
            self.quota_days[key].update(
                d for d in rules.booked_days(local_start, local_stop) if d.weekday() < 5
            )

    @staticmethod
    def _overlaps(intervals, start, stop):
        return any(s < stop and start < e for s, e in intervals)

    # -- what became of it ----------------------------------------------------------------------

    def _place(self, instrument, family, vals, day, today):
        """Decide the booking's fate: history (past, in progress, or booked before the allocation
        deadline) or a booking the user makes now through the rules."""
        policy = instrument.booking_policy_id
        start, stop = vals["date_start"], vals["date_stop"]
        if start >= self.now:
            before_deadline = policy.allocation_required and rules.month_start(
                day
            ) <= rules.month_start(today)
            if not before_deadline:
                self.future.append((instrument, vals))
                return
            vals["state"] = S.CONFIRMED if self.rng.random() < 0.75 else S.REQUESTED
            self.history.append(vals)
            return
        if start < self.now < stop:
            vals.update(state=S.IN_USE, actual_start=start + self._minutes(-5, 10))
            self.history.append(vals)
            return
        self._close(instrument, family, vals)

    def _close(self, instrument, family, vals):
        rng = self.rng
        policy = instrument.booking_policy_id
        start, stop = vals["date_start"], vals["date_stop"]
        hours = (stop - start).total_seconds() / 3600
        notice = policy.cancel_notice_minutes if policy else 0
        r = rng.random()
        if policy and not policy.auto_confirm and r < 0.05:
            vals.update(state=S.REJECTED, reject_reason=rng.choice(REJECT_REASONS))
        elif r < 0.04:
            vals["state"] = S.NO_SHOW
        elif r < 0.09:
            vals.update(state=S.CANCELLED, cancel_date=start - timedelta(hours=rng.randint(5, 96)))
        elif r < 0.12 and notice:
            cancel = start - timedelta(minutes=rng.randint(5, max(6, notice - 5)))
            late = rules.late_cancellation(start, cancel, notice)
            vals.update(state=S.CANCELLED, cancel_date=cancel, is_late_cancellation=late)
        elif r < 0.19 and hours >= 3 and family not in UNATTENDED:
            self._release(instrument, family, vals, rng.uniform(0.35, 0.75))
            return
        elif r < 0.22 and hours >= 2:
            used = hours * rng.uniform(0.2, 0.4)
            begin = start + self._minutes(0, 10)
            vals.update(
                state=S.DONE,
                actual_start=begin,
                actual_stop=begin + timedelta(minutes=round(used * 60)),
                is_underuse=True,
            )
        else:
            vals.update(
                state=S.DONE,
                actual_start=start + self._minutes(-10, 15),
                actual_stop=stop - self._minutes(0, min(40, int(hours * 10))),
            )
        if vals["state"] in (S.CANCELLED, S.REJECTED, S.NO_SHOW):
            self.stats[f"history {vals['state']}"] += 1
        self.history.append(vals)

    def _release(self, instrument, family, vals, share):
        """Finished early and released the rest: the time goes to a waitlisted user."""
        start, stop = vals["date_start"], vals["date_stop"]
        at = start + timedelta(minutes=round((stop - start).total_seconds() / 60 * share / 5) * 5)
        vals.update(
            state=S.DONE,
            actual_start=start + self._minutes(-5, 10),
            actual_stop=at,
            date_stop=at,
            released_hours=(stop - at).total_seconds() / 3600,
        )
        self.history.append(vals)
        if (stop - at) < timedelta(hours=1, minutes=15) or self.rng.random() < 0.4:
            return
        tz = instrument._booking_tz()
        day = to_local(at, tz).date()
        taker_start = at + timedelta(minutes=20)
        for user, group in self._operators(instrument, day, False):
            if (
                user.id == vals["operator_id"]
                or group.category == "external"
                or self._overlaps(self.user_busy[user.id], taker_start, stop)
            ):
                continue
            if not self._within_allocation(
                instrument,
                group,
                user,
                to_local(taker_start, tz),
                to_local(stop, tz),
                taker_start,
                stop,
            ):
                continue
            self.user_busy[user.id].append((taker_start, stop))
            self._count(instrument, group, user, taker_start, stop)
            taker = {
                "instrument_id": instrument.id,
                "operator_id": user.id,
                "booked_by_id": user.id,
                "research_group_id": group.id,
                "purpose": self.rng.choice(PURPOSES[family]),
                "date_start": taker_start,
                "date_stop": stop,
                "state": S.DONE,
                "actual_start": taker_start + self._minutes(0, 5),
                "actual_stop": stop - self._minutes(0, 15),
                **{k: v for k, v in vals.items() if k in ("preparation_done", "long_collection")},
                "_waitlist": {
                    "date_from": to_utc(datetime.combine(day, time(8)), tz),
                    "date_to": to_utc(datetime.combine(day, time(20)), tz),
                    "min_hours": 1.0,
                    "offered_start": at,
                    "offered_stop": stop,
                },
            }
            self.history.append(taker)
            return

    def _minutes(self, low, high):
        return timedelta(minutes=self.rng.randint(low, high))

    # -- writing --------------------------------------------------------------------------------

    def _create_history(self):
        """Past bookings, bookings in progress and those booked before the allocation deadline,
        as recorded (superuser, rules skipped: the guarded fields are written as they were)."""
        Booking = (
            self.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True, tracking_disable=True, mail_create_nolog=True)
        )
        self.history.sort(key=lambda v: (v["date_start"], v["instrument_id"]))
        waitlists = [v.pop("_waitlist", None) for v in self.history]
        bookings = Booking.create(self.history)
        Waitlist = (
            self.env["facility.booking.waitlist"]
            .sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True)
        )
        entries = []
        for booking, waitlist in zip(bookings, waitlists, strict=True):
            if waitlist:
                entries.append(
                    dict(
                        waitlist,
                        instrument_id=booking.instrument_id.id,
                        user_id=booking.operator_id.id,
                        research_group_id=booking.research_group_id.id,
                        purpose=booking.purpose,
                        state="booked",
                        booking_id=booking.id,
                    )
                )
        Waitlist.create(entries)
        self.stats["history"] += len(bookings)
        self.stats["waitlist served by released time"] += len(entries)

    def _create_future(self):
        """The coming weeks, booked by each user through the rules; requests then confirmed by
        the managers (rejecting competitors), and a few bookings cancelled in time."""
        self.future.sort(key=lambda item: (item[1]["date_start"], item[0].id))
        created = self.env["facility.booking"]
        competitors = []
        for instrument, vals in self.future:
            booking = self._book_as_user(vals)
            if not booking:
                continue
            created |= booking
            policy = instrument.booking_policy_id
            if booking.state == S.REQUESTED and self.rng.random() < 0.3:
                competitors.append(booking)
            elif policy.auto_confirm and self.rng.random() < 0.08:
                competitors.append(booking)  # someone else waits for this time
        # Competing requests and waitlist entries for the same times, by other groups.
        for booking in competitors:
            self._compete(booking)
        # The managers confirm about two requests in three, oldest first.
        requests = created.filtered(lambda b: b.state == S.REQUESTED).sorted("date_start")
        for booking in requests:
            if booking.state != S.REQUESTED or self.rng.random() < 0.35:
                continue
            manager = booking.instrument_id.manager_ids[:1]
            if not manager:
                continue
            try:
                with self.env.cr.savepoint():
                    booking.with_user(manager).with_context(lang=manager.lang)._confirm()
                self.stats["future confirmed by a manager"] += 1
            except (UserError, ValidationError, AccessError) as error:
                _logger.debug("Demo: %s not confirmed: %s", booking.name, error)
        # A few confirmed bookings are cancelled in time: the waitlist is offered their time.
        for booking in created.filtered(lambda b: b.state == S.CONFIRMED).sorted("date_start"):
            if self.rng.random() < 0.05:
                operator = booking.operator_id
                try:
                    with self.env.cr.savepoint():
                        booking.with_user(operator).with_context(lang=operator.lang)._cancel()
                    self.stats["future cancelled"] += 1
                except (UserError, ValidationError, AccessError) as error:
                    _logger.debug("Demo: %s not cancelled: %s", booking.name, error)

    def _book_as_user(self, vals):
        user = self.env["res.users"].browse(vals["operator_id"])
        values = {k: v for k, v in vals.items() if k != "booked_by_id"}
        Booking = (
            self.env["facility.booking"]
            .with_user(user)
            .with_context(lang=user.lang, mail_create_nolog=True)
        )
        try:
            with self.env.cr.savepoint():
                booking = Booking.create(values)
        except (UserError, ValidationError, AccessError) as error:
            self.stats["future refused by the rules"] += 1
            _logger.debug("Demo: booking refused: %s", error)
            return None
        self.stats[f"future {booking.state}"] += 1
        return booking.with_env(self.env)

    def _compete(self, booking):
        """Another group asks for the same time: a competing request where the manager
        confirms, else a waitlist entry."""
        instrument = booking.instrument_id
        tz = instrument._booking_tz()
        day = to_local(booking.date_start, tz).date()
        policy = instrument.booking_policy_id
        for user, group in self._operators(instrument, day, False):
            if group == booking.research_group_id or self._overlaps(
                self.user_busy[user.id], booking.date_start, booking.date_stop
            ):
                continue
            env = self.env(user=user, context=dict(self.env.context, lang=user.lang))
            try:
                with self.env.cr.savepoint():
                    if not policy.auto_confirm:
                        env["facility.booking"].with_context(mail_create_nolog=True).create(
                            {
                                "instrument_id": instrument.id,
                                "operator_id": user.id,
                                "research_group_id": group.id,
                                "purpose": self.rng.choice(PURPOSES[_family(instrument)]),
                                "date_start": booking.date_start,
                                "date_stop": booking.date_stop,
                                "long_collection": booking.long_collection,
                                "preparation_done": booking.preparation_done,
                                "reserved_project": group.id in self.reserved_groups
                                and bool(policy.reserved_share),
                            }
                        )
                        self.stats["future competing request"] += 1
                    else:
                        env["facility.booking.waitlist"].create(
                            {
                                "instrument_id": instrument.id,
                                "user_id": user.id,
                                "research_group_id": group.id,
                                "purpose": self.rng.choice(PURPOSES[_family(instrument)]),
                                "date_from": booking.date_start - timedelta(hours=1),
                                "date_to": booking.date_stop + timedelta(hours=2),
                                "min_hours": min(2.0, booking.duration_hours),
                            }
                        )
                        self.stats["future waitlist entry"] += 1
                return
            except (UserError, ValidationError, AccessError) as error:
                _logger.debug("Demo: no competitor for %s: %s", booking.name, error)


def _family(instrument):
    xmlid = instrument.get_external_id().get(instrument.id, "").split(".")[-1]
    return INSTRUMENTS.get(xmlid, ("light", None))[0]
