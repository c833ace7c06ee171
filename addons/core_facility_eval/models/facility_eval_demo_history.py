import logging
import random
import time
from datetime import date, datetime, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

_logger = logging.getLogger(__name__)

SHANGHAI = pytz.timezone("Asia/Shanghai")
CF = "core_facility."
EVAL = "core_facility_eval."

# instrument xmlid → (hours a year, overnight sessions allowed); the evaluation's scope is
# ≥ 400,000 CNY, so the trimming machine and the knife maker are left out. Two sample-prep
# devices stay under 800 h (they fail the hour rule).
INTENSITY = {
    CF + "instrument_titan_demo": (3000, True),
    CF + "instrument_talos_demo": (2150, True),
    CF + "instrument_t20_demo": (1900, True),
    CF + "instrument_spirit_demo": (1700, True),
    CF + "instrument_helios_demo": (1500, False),
    CF + "instrument_afm_demo": (1050, False),
    CF + "instrument_omx_demo": (1350, False),
    CF + "instrument_palm_demo": (1000, False),
    CF + "instrument_tirf_demo": (1100, False),
    CF + "instrument_fv1000_demo": (1400, False),
    CF + "instrument_fv1200_demo": (1500, False),
    CF + "instrument_andor_sdc_demo": (1250, False),
    CF + "instrument_marianas_demo": (1200, False),
    CF + "instrument_fv1000mpe_demo": (1150, False),
    CF + "instrument_hpm100_demo": (1000, False),
    CF + "instrument_pact2_demo": (700, False),
    CF + "instrument_afs2_a_demo": (950, False),
    CF + "instrument_afs2_b_demo": (760, False),
    CF + "instrument_afs2_c_demo": (850, False),
    CF + "instrument_uc6_1_demo": (1200, False),
    CF + "instrument_uc6_2_demo": (900, False),
    CF + "instrument_fc7_demo": (1000, False),
    EVAL + "instrument_nmr600_demo": (1650, False),
    EVAL + "instrument_itc_demo": (1000, False),
}
# the research groups whose members operate (the suspended group is left out)
GROUPS = [
    CF + "research_group_xuwei_demo",
    CF + "research_group_zhuping_demo",
    CF + "research_group_miaolong_demo",
    CF + "research_group_xupingyong_demo",
    CF + "research_group_xutao_demo",
    CF + "research_group_zhangxinzheng_demo",
]
# the history's off-campus user is invoiced (a prepaid group's balance would sink under a
# year of charges its deposits never paid)
OFF_CAMPUS = "core_facility_billing.research_group_smu_demo"
OFF_CAMPUS_SHARE = 0.12
BATCH = 300
ACKNOWLEDGEMENT = (
    "致谢：本文电镜与光学成像相关工作在生物物理研究所蛋白质科学研究平台生物成像中心完成，"
    "感谢平台技术人员在数据采集与分析工作中的帮助。"
)
JOURNALS = ("Nature Communications", "Cell Research", "生物物理学报")
OUTCOMES = [
    # (kind, title, extra values), per year; instruments attached in turn
    ("paper", "Cryo-EM structure of a respiratory supercomplex", {"indexing": "sci"}),
    ("paper", "冷冻电镜解析膜转运蛋白的构象变化", {"indexing": "sci"}),
    ("paper", "Super-resolution imaging of mitochondrial cristae", {"indexing": "sci"}),
    ("paper", "活细胞共聚焦成像揭示内质网动态", {"indexing": "core"}),
    ("paper", "Volume imaging of synapses by FIB-SEM", {"indexing": "sci"}),
    ("paper", "高压冷冻与冷冻替代制备组织超薄切片的方法改进", {"indexing": "core"}),
    ("paper", "Structure of a bacterial ABC transporter by NMR", {"indexing": "sci"}),
    ("paper", "原子力显微镜测量蛋白纤维的力学性质", {"indexing": "core"}),
    ("project", "国家重点研发计划：蛋白质机器的结构与功能", {"project_level": "key"}),
    ("project", "国家自然科学基金面上项目：细胞器互作的成像研究", {"project_level": "normal"}),
    ("patent", "一种冷冻电镜样品载网的制备方法", {"patent_number": "ZL2023100001"}),
    ("award", "省部级科学技术进步奖 二等奖", {"award_level": "provincial"}),
]


class FacilityEvalDemoHistory(models.AbstractModel):
    """Demo: a usage history behind the evaluation's demo campaigns — done bookings (with their
    charges, confirmed), trainings and accepted outcomes from 1 Jan last year up to the day
    before core_facility's demo bookings of each instrument, at a realistic yearly intensity per
    instrument family (a couple of sample-prep devices below 800 h). Loaded before
    demo/facility_eval_demo.xml, whose loader computes the campaigns."""

    _name = "facility.eval.demo.history"
    _description = "Evaluation Demo History"

    @api.model
    def _load(self):
        if not self.env.su:
            raise AccessError(self.env._("Only the server loads the evaluation's demo history."))
        started = time.monotonic()
        env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                mail_auto_subscribe_no_notify=True,
                booking_skip_rules=True,
            )
        )
        history = self.with_env(env)
        groups = [group for xmlid in GROUPS if (group := env.ref(xmlid, raise_if_not_found=False))]
        off_campus = env.ref(OFF_CAMPUS, raise_if_not_found=False)
        if not groups:
            _logger.info("Evaluation demo history: skipped (no demo research groups)")
            return False
        today = fields.Date.context_today(history.with_context(tz="Asia/Shanghai"))
        first = date(today.year - 1, 1, 1)
        instruments = env["facility.instrument"]
        for xmlid in INTENSITY:
            instrument = env.ref(xmlid, raise_if_not_found=False)
            if instrument:
                instruments |= instrument
            else:
                _logger.info("Evaluation demo history: %s missing, skipped", xmlid)
        firsts = dict(
            env["facility.booking"]
            .sudo()
            ._read_group(
                [("instrument_id", "in", instruments.ids)], ["instrument_id"], ["date_start:min"]
            )
        )
        bookings = env["facility.booking"]
        for xmlid, (hours, overnight) in INTENSITY.items():
            instrument = env.ref(xmlid, raise_if_not_found=False)
            if not instrument:
                continue
            start = max(first, instrument.account_date or first)
            stop = today
            if firsts.get(instrument):
                stop = min(stop, _local(firsts[instrument]).date())
            if start >= stop:
                continue
            bookings |= history._bookings(
                instrument, start, stop, hours, overnight, groups, off_campus
            )
        history._charges(bookings)
        trainings = history._trainings(instruments, first, today, groups)
        outcomes = history._outcomes(instruments, today, groups)
        _logger.info(
            "Evaluation demo history: %s bookings, %s trainings, %s outcomes in %.1f s",
            len(bookings),
            trainings,
            outcomes,
            time.monotonic() - started,
        )
        return True

    # -- bookings ------------------------------------------------------------------------------

    def _bookings(self, instrument, start, stop, hours, overnight, groups, off_campus):
        """Done bookings on working days in [start, stop): a day session (3–10 h) on enough days
        to make ``hours`` a year, plus overnight sessions on the busiest TEMs."""
        rng = random.Random(f"history-{instrument.id}-{hours}")
        days = [
            start + timedelta(days=n)
            for n in range((stop - start).days)
            if (start + timedelta(days=n)).weekday() < 5
        ]
        if not days:
            return self.env["facility.booking"]
        target = hours * len(days) / 250
        # day sessions of 3–10 h; the busy instruments' sessions are long
        low = 7 if hours >= 1600 else (6 if hours >= 1100 else 4)
        mean = (low + 10) / 2
        day_hours = min(target, len(days) * mean)
        chosen = sorted(rng.sample(days, min(len(days), round(day_hours / mean))))
        sessions = [(day, 9, rng.uniform(low, 10)) for day in chosen]
        rest = target - sum(length for *_x, length in sessions)
        if overnight and rest > 0:
            # 20:00 to 05:00–06:00: after the day session, before the next one; never on the
            # last day (the demo's own bookings start the day after)
            nights = sorted(rng.sample(days[:-1], min(len(days) - 1, round(rest / 9.5))))
            sessions += [(day, 20, rng.uniform(9, 10)) for day in nights]
        vals_list, used = [], []
        for day, hour, length in sessions:
            group = off_campus if off_campus and rng.random() < OFF_CAMPUS_SHARE else None
            group = group or rng.choice(groups)
            operator = rng.choice(group.member_ids or group.pi_id)
            begin = _utc(day, hour + rng.choice((0, 0.5)))
            length = min(10, round(length * 2) / 2)
            vals_list.append(
                {
                    "instrument_id": instrument.id,
                    "operator_id": operator.id,
                    "research_group_id": group.id,
                    "purpose": "数据采集",
                    "date_start": begin,
                    "date_stop": begin + timedelta(hours=length),
                    "state": "confirmed",
                }
            )
            used.append(length * rng.choice((1, 1, 1, 0.95, 0.9)))
        Booking = self.env["facility.booking"].sudo()
        created = Booking
        for index in range(0, len(vals_list), BATCH):
            batch = Booking.create(vals_list[index : index + BATCH])
            for booking, hours_used in zip(batch, used[index : index + BATCH], strict=True):
                booking._start(at=booking.date_start)
                booking._finish(at=booking.date_start + timedelta(hours=hours_used))
            created |= batch
        return created

    def _charges(self, bookings):
        """Billing's charges of the done bookings (once per booking), confirmed by the
        instrument's managers: they count in the fees of the year."""
        bookings._facility_generate_charges()
        Charge = self.env["facility.charge"].sudo()
        lines = Charge.search([("booking_id", "in", bookings.ids), ("state", "=", "draft")])
        for instrument, instrument_lines in lines.grouped("instrument_id").items():
            manager = instrument.manager_ids[:1]
            if not manager:
                continue
            try:
                with self.env.cr.savepoint():
                    instrument_lines.with_user(manager).sudo().action_confirm()
            except (AccessError, UserError, ValidationError) as error:
                _logger.info("Evaluation demo history: charges not confirmed (%s)", error)

    # -- trainings and outcomes ----------------------------------------------------------------

    def _trainings(self, instruments, first, today, groups):
        """Several done training sessions per instrument and year (2–6 h), given by a manager
        of the instrument on a level without prerequisite; a session the training rules refuse
        is skipped."""
        levels = (
            self.env["facility.certification.level"]
            .sudo()
            .search([("prerequisite_id", "=", False)])
        )
        members = sum((group.member_ids for group in groups), self.env["res.users"])
        Training = self.env["facility.training"].sudo()
        count = 0
        for instrument in instruments:
            level = levels.filtered(lambda lv, i=instrument: i in lv._get_instruments())[:1]
            trainer = instrument.manager_ids[:1]
            if not (level and trainer):
                continue
            rng = random.Random(f"training-{instrument.id}")
            for year in (first.year, today.year):
                months = range(1, 13) if year < today.year else range(1, today.month - 1)
                for month in rng.sample(list(months), min(len(months), rng.randint(4, 7))):
                    day = date(year, month, rng.randint(3, 26))
                    if day < (instrument.account_date or first):
                        continue
                    trainees = rng.sample(list(members - trainer), rng.randint(1, 4))
                    try:
                        with self.env.cr.savepoint():
                            Training.create(
                                {
                                    "instrument_id": instrument.id,
                                    "level_id": level.id,
                                    "trainer_id": trainer.id,
                                    "trainee_ids": [Command.set([t.id for t in trainees])],
                                    "date_start": _utc(day, 14),
                                    "hours": rng.choice((2, 2.5, 3, 4, 5, 6)),
                                    "state": "done",
                                }
                            )
                        count += 1
                    except (UserError, ValidationError) as error:
                        _logger.info("Evaluation demo history: training skipped (%s)", error)
        return count

    def _outcomes(self, instruments, today, groups):
        """Accepted outcomes of last year and this year (papers with the facility's
        acknowledgement, projects, a patent, an award), each on two or three instruments."""
        Publication = self.env["facility.publication"].sudo()
        staff = self.env.ref(CF + "user_guozhenxi_demo", raise_if_not_found=False)
        staff = staff or instruments[:1].manager_ids[:1]
        ids = instruments.ids
        count = 0
        for year in (today.year - 1, today.year):
            rng = random.Random(f"outcomes-{year}")
            for index, (kind, title, extra) in enumerate(OUTCOMES):
                if year == today.year and index % 2:
                    continue
                group = rng.choice(groups)
                used = rng.sample(ids, 3)
                values = {
                    "name": title,
                    "kind": kind,
                    "year": year,
                    "research_group_id": group.id,
                    "user_ids": [Command.set(group.member_ids.ids)],
                    "instrument_ids": [Command.set(used)],
                    "authors": ", ".join(group.member_ids.mapped("name")),
                    **extra,
                }
                if kind == "paper":
                    values.update(
                        journal=rng.choice(JOURNALS),
                        acknowledgement_text=ACKNOWLEDGEMENT,
                    )
                try:
                    with self.env.cr.savepoint():
                        outcome = Publication.create(values)
                        if outcome.acknowledges:
                            outcome.action_check_acknowledgement()
                        outcome.with_user(staff).sudo().action_accept()
                    count += 1
                except (AccessError, UserError, ValidationError) as error:
                    _logger.info("Evaluation demo history: outcome skipped (%s)", error)
        return count


def _utc(day, hour):
    """``day`` at ``hour`` (Shanghai wall clock) as the naive UTC datetime Odoo stores."""
    local = SHANGHAI.localize(datetime(day.year, day.month, day.day) + timedelta(hours=hour))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def _local(moment):
    return pytz.utc.localize(moment).astimezone(SHANGHAI)
