from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.core_facility.models.utils import to_local

from ..rules import allowlist, decision, usage
from ..rules.codes import AllowReason, Decision, DenyReason
from ..rules.events import normalize_card

REASONS = [(r, r.replace("_", " ").capitalize()) for r in (*AllowReason, *DenyReason)]
DEFAULT_LANG = "zh_CN"
# at most this many back-to-back bookings are chained into one answer
MAX_CHAINED = 20
_ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


class FacilityAccessDecision(models.Model):
    """Every answer given to a box that asked whether to open its instrument: who asked, what
    was decided, why and until when (the access log managers look at)."""

    _name = "facility.access.decision"
    _description = "Access Decision"
    _order = "asked_at desc, id desc"
    _rec_name = "asked_at"

    box_id = fields.Many2one("facility.box", required=True, index=True, ondelete="restrict")
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    asked_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    card = fields.Char()
    user_id = fields.Many2one("res.users", index=True)
    research_group_id = fields.Many2one("facility.research.group")
    booking_id = fields.Many2one("facility.booking", ondelete="set null")
    decision = fields.Selection([(Decision.ALLOW, "Allow"), (Decision.DENY, "Deny")], required=True)
    reason = fields.Selection(REASONS, required=True)
    until = fields.Datetime()
    message = fields.Char(help="What the box showed, in the user's language.")

    # -- the question of a box ------------------------------------------------------------------

    @api.model
    def _answer(self, box, asked, now=None):
        """``(status, answer)`` to a box asking ``{"card": ...}`` or ``{"user": login}`` at
        ``now`` (naive UTC, default now): 200 ``{"decision", "reason", "message", "until",
        "user"}`` — ``until`` in ISO UTC with ``Z`` or null, ``message`` in the user's language
        (else the company's, else Chinese) — logged here; or 400 ``{"error": "bad_question",
        "message"}`` for a question that is not one. The facts come from core_facility's
        ``instrument.get_access_facts()`` and the verdict from ``rules.decision.decide``."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        kind, value, problem = self._question(asked)
        if problem:
            return 400, {"error": usage.BAD_QUESTION, "message": problem}
        box = box.sudo()
        instrument = box.instrument_id
        user = self._asker(kind, value)
        vals = {
            "box_id": box.id,
            "instrument_id": instrument.id,
            "asked_at": now,
            "card": value if kind == "card" else False,
            "user_id": user.id,
        }
        if not user:
            verdict = decision.decide(self._facts(instrument, None, now, known_card=False))
        else:
            facts, found = self._gather(instrument, user, now)
            verdict = decision.decide(facts)
            vals["research_group_id"] = found["research_group_id"] or False
            if verdict[1] == AllowReason.BOOKING:
                vals["booking_id"] = facts.booking[0]
        verdict_decision, reason, until = verdict
        message = self._message(reason, user, instrument, until)
        vals.update(decision=verdict_decision, reason=reason, until=until, message=message)
        self.sudo().create(vals)
        return 200, {
            "decision": str(verdict_decision),
            "reason": str(reason),
            "message": message,
            "until": until.strftime(_ISO_Z) if until else None,
            "user": user.name or None,
        }

    @api.model
    def _question(self, asked):
        """``(kind, value, problem)``: ``("card", normalised number)`` or ``("user", login)``,
        or a problem (English: the box's installer reads it)."""
        if not isinstance(asked, dict):
            return None, None, 'the question must be a JSON object: {"card": ...} or {"user": ...}'
        keys = [key for key in ("card", "user") if key in asked]
        if len(keys) != 1:
            return None, None, 'ask exactly one of "card" and "user"'
        kind = keys[0]
        value = asked[kind]
        if kind == "card":
            value = normalize_card(value)
            if value is None:
                return None, None, "the card must be 1 to 64 printable characters"
        elif not isinstance(value, str) or not value.strip() or len(value) > 64:
            return None, None, "the user must be a login of 1 to 64 characters"
        return kind, value, None

    @api.model
    def _asker(self, kind, value):
        """The active user with this card or login (as superuser: cards are staff data)."""
        Users = self.env["res.users"].sudo()
        if kind == "card":
            return Users.search([("facility_card", "=", value)], limit=1)
        return Users.search([("login", "=", value)], limit=1)

    @api.model
    def _gather(self, instrument, user, now):
        """``(AccessFacts, the facts dict)`` of ``user`` at ``now``: core_facility's facts with
        the instrument's grace (the booking whose stop plus the grace is after now, however
        short, finished or not: the offline list carries the same spans), and the user's
        bookings chained after it (``_following``)."""
        grace = instrument.iot_grace_minutes or 0
        found = instrument.get_access_facts(user, now, grace_minutes=grace)
        following = self._following(instrument, user, found["booking"], grace)
        return self._facts(instrument, found, now, following=following), found

    @api.model
    def _following(self, instrument, user, booking, grace):
        """The user's bookings that chain after ``booking`` (each starting before the previous
        one's stop plus the grace, and letting the user in by itself), asked of core_facility
        at the end of each span: the offline list chains the same entries."""
        out = []
        seen = {booking[0]} if booking else set()
        for _step in range(MAX_CHAINED):
            if not booking:
                break
            until = decision.booking_span(booking[1], booking[2], grace)[1]
            later = instrument.get_access_facts(user, until, grace_minutes=grace)
            booking = later["booking"]
            if not booking or booking[0] in seen:
                break
            if decision.list_entry(self._facts(instrument, later, until)) is None:
                break
            seen.add(booking[0])
            out.append(booking)
        return tuple(out)

    @api.model
    def _facts(self, instrument, found, now, known_card=True, following=()):
        """``rules.decision.AccessFacts`` from core_facility's facts and the instrument's box
        settings (grace, walk-in)."""
        found = found or {}
        return decision.AccessFacts(
            now=now,
            instrument_available=bool(found.get("available")),
            log_only=bool(found.get("log_only")),
            walk_in_allowed=bool(instrument.iot_walk_in),
            booking=found.get("booking"),
            qualified=bool(found.get("qualified")),
            group_state=found.get("group_state") or "",
            sanctioned=bool(found.get("sanctioned")),
            grace_minutes=instrument.iot_grace_minutes or 0,
            known_card=known_card,
            walk_in_minutes=instrument.iot_walk_in_minutes or decision.DEFAULT_WALK_IN_MINUTES,
            following=following,
        )

    @api.model
    def _message(self, reason, user, instrument, until):
        """The sentence the box shows, in the user's language (else the company's, else
        Chinese); times to the minute in the instrument's zone."""
        lang = (
            (user and user.lang)
            or instrument.company_id.partner_id.lang
            or self.env.company.partner_id.lang
            or DEFAULT_LANG
        )
        if lang not in dict(self.env["res.lang"].get_installed()):
            lang = self.env.context.get("lang") or "en_US"
        env = self.with_context(lang=lang).env
        _ = env._
        name = user.name or ""
        until_text = to_local(until, instrument._booking_tz()).strftime("%H:%M") if until else ""
        texts = {
            AllowReason.BOOKING: lambda: _(
                "Welcome, %(name)s: your booking runs until %(until)s.",
                name=name,
                until=until_text,
            ),
            AllowReason.WALK_IN: lambda: _(
                "Welcome, %(name)s: walk-in use until %(until)s; it is logged and charged.",
                name=name,
                until=until_text,
            ),
            DenyReason.UNKNOWN_CARD: lambda: _(
                "This card is not registered: ask the instrument's manager."
            ),
            DenyReason.INSTRUMENT_UNAVAILABLE: lambda: _(
                "%(instrument)s is not in service.", instrument=instrument.name
            ),
            DenyReason.SANCTIONED: lambda: _(
                "%(name)s: a sanction in force forbids using the instruments.", name=name
            ),
            DenyReason.GROUP_SUSPENDED: lambda: _(
                "%(name)s: no active research group (suspended, or none).", name=name
            ),
            DenyReason.NOT_QUALIFIED: lambda: _(
                "%(name)s: you do not hold the certification %(instrument)s requires.",
                name=name,
                instrument=instrument.name,
            ),
            DenyReason.NO_BOOKING: lambda: _(
                "%(name)s: you have no booking on %(instrument)s now.",
                name=name,
                instrument=instrument.name,
            ),
        }
        render = texts.get(reason)
        return render() if render else str(reason)

    # -- the offline allow-list -----------------------------------------------------------------

    @api.model
    def _allow_list(self, box, now=None):
        """``(payload bytes, signature hex)`` of the box's signed allow-list of the next 24 hours
        (``rules.allowlist.build``, with the instrument's fail mode added by
        ``rules.usage.with_fail_mode``, signed with the box's key). Made by
        ``rules.decision.list_entry`` — ``decide`` itself — from the same facts as the online
        answer: an entry per booking of the instrument holding time in the window (confirmed or
        in use, or finished but still in its grace) whose operator has a card and is let in by
        it, asked of core_facility at a moment of the booking: ``(card, booking start, booking
        end + grace)``; and, on a log-only instrument allowing walk-in use, the cards whose
        holders may walk in now (known, qualified, of an active group, not sanctioned)."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        box = box.sudo()
        instrument = box.instrument_id
        grace = timedelta(minutes=instrument.iot_grace_minutes or 0)
        valid_until = now + timedelta(hours=allowlist.DEFAULT_VALID_HOURS)
        bookings = (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", instrument.id),
                    ("date_start", "<", valid_until),
                    ("date_stop", ">", now - grace),
                    "|",
                    ("state", "in", ("confirmed", "in_use")),
                    "&",
                    ("state", "=", "done"),
                    ("date_stop", "<=", now),
                ],
                order="date_start, id",
            )
        )
        entries = []
        for booking in bookings:
            card = booking.operator_id.sudo().facility_card
            if not card:
                continue
            inside = max(booking.date_start, min(now, booking.date_stop - timedelta(seconds=1)))
            found = dict(
                instrument.get_access_facts(booking.operator_id, inside),
                booking=(booking.id, booking.date_start, booking.date_stop),
            )
            entry = decision.list_entry(self._facts(instrument, found, inside))
            if entry and entry != AllowReason.WALK_IN:
                entries.append((card, *entry))
        minutes = instrument.iot_walk_in_minutes or decision.DEFAULT_WALK_IN_MINUTES
        payload = allowlist.build(
            entries,
            now,
            walk_in_cards=self._walk_in_cards(instrument, now),
            walk_in_minutes=minutes,
        )
        payload = usage.with_fail_mode(payload, instrument.iot_fail_mode)
        return payload, allowlist.sign_allow_list(box.secret_hash, payload)

    @api.model
    def _walk_in_cards(self, instrument, now):
        """The cards whose holders ``decide`` lets walk in at ``now`` (facts without a
        booking): none unless the instrument is log-only and allows walk-in use. Only users
        with a card and an active research group are asked (the others are refused anyway)."""
        if not (instrument.booking_mode == "log" and instrument.iot_walk_in):
            return []
        members = (
            self.env["facility.research.group"].sudo().search([("state", "=", "active")]).member_ids
        )
        users = members.filtered("facility_card").sorted("id")
        cards = []
        for user in users:
            found = dict(instrument.get_access_facts(user, now), booking=None)
            if decision.list_entry(self._facts(instrument, found, now)) == AllowReason.WALK_IN:
                cards.append(user.facility_card)
        return cards
