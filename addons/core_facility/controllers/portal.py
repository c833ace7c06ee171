"""Portal pages: the public instrument catalogue, an instrument's page, the user's bookings and
qualifications.

Every value a page receives is checked here before it reaches the ORM: a refusal is a translated
message on the page (the form shown again with what the user typed) or a 404, never a trace.
Booking times are entered and shown in the instrument's time zone, where its rules are reasoned.
"""

from datetime import datetime, timedelta

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import is_html_empty

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.facility_booking_check import PURPOSE_MAX
from ..rules.codes import LevelRole

# Longest purpose a booking may carry.
# Longest value the booking form shows again after a refusal.
ECHO_MAX = 1000
# Booking dates the portal accepts, around today (the policies refine it: horizon, past...).
DAYS_BEFORE = 366
DAYS_AFTER = 2 * 366
# Date and time as sent by <input type="datetime-local"> (seconds are optional) or typed.
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
# Largest id PostgreSQL's integer columns hold: larger ids are unknown, not an error.
MAX_ID = 2**31 - 1
# Instruments of the public catalogue, and those of them that are booked through the portal.
CATALOGUE_DOMAIN = [("is_published", "=", True), ("state", "!=", "scrapped")]
BOOKABLE_DOMAIN = [
    *CATALOGUE_DOMAIN,
    ("booking_mode", "=", "booking"),
    ("state", "=", "in_service"),
]
# Policy options the booking form asks for, with the policy field that makes them needed.
BOOKING_OPTIONS = {
    "preparation_done": lambda policy: policy.preparation_required,
    "long_collection": lambda policy: bool(policy) and policy.whole_day_role != LevelRole.NONE,
    "reserved_project": lambda policy: bool(policy.reserved_share),
}
FORM_FIELDS = ("research_group_id", "date_start", "date_stop", "purpose", *BOOKING_OPTIONS)


def record_id(value):
    """``value`` (from a URL or a form) as a record id, or None if it cannot be one."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def pytz_localize(tz, local_naive):
    """A wall-clock time in ``tz`` as a naive UTC datetime (as stored)."""
    return tz.localize(local_naive).astimezone(pytz.utc).replace(tzinfo=None)


def to_local_naive(utc_naive, tz):
    """A naive UTC datetime as wall-clock time in ``tz``."""
    return pytz.utc.localize(utc_naive).astimezone(tz).replace(tzinfo=None)


def tz_offset(tz):
    """The current UTC offset of ``tz``, written +08:00."""
    offset = datetime.now(tz).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


class BookingRefused(Exception):
    """Input the booking form refuses: the messages to show and the HTTP status."""

    def __init__(self, messages, status=400):
        super().__init__("\n".join(messages))
        self.status = status


class FacilityPortal(CustomerPortal):
    """Portal pages of the facility."""

    # -- home tiles ------------------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        env = request.env
        if "facility_instrument_count" in counters:
            instruments = env["facility.instrument"]
            values["facility_instrument_count"] = (
                instruments.search_count(CATALOGUE_DOMAIN) if instruments.has_access("read") else 0
            )
        if "facility_booking_count" in counters:
            bookings = env["facility.booking"]
            values["facility_booking_count"] = (
                bookings.search_count(self._booking_domain()) if bookings.has_access("read") else 0
            )
        if "facility_qualification_count" in counters:
            qualifications = env["facility.qualification"]
            values["facility_qualification_count"] = (
                qualifications.search_count([("user_id", "=", env.user.id)])
                if qualifications.has_access("read")
                else 0
            )
        return values

    # -- catalogue -------------------------------------------------------------------------------

    @http.route(["/my/instruments"], type="http", auth="user", website=True)
    def portal_my_instruments(self, search=None, category=None, unit=None, mine=None, **kwargs):
        """The public catalogue: a search box and filters by category, unit and "I may book"."""
        Instrument = request.env["facility.instrument"]
        catalogue = Instrument.search(CATALOGUE_DOMAIN)
        search = (search or "").strip()[:100]
        category_id, unit_id = record_id(category), record_id(unit)
        domain = list(CATALOGUE_DOMAIN)
        if search:
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("model_name", "ilike", search),
                ("manufacturer", "ilike", search),
            ]
        if category_id:
            domain.append(("category_id", "child_of", category_id))
        if unit_id:
            domain.append(("unit_id", "=", unit_id))
        instruments = Instrument.search(domain)
        user = request.env.user
        qualified = instruments.filtered(lambda i: i.is_user_qualified(user))
        if mine:
            instruments = qualified
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instruments": instruments,
                "qualified": qualified,
                "categories": catalogue.category_id.sorted("complete_name"),
                "units": catalogue.unit_id.sorted("name"),
                "category_id": category_id,
                "unit_id": unit_id,
                "mine": bool(mine),
                "search": search,
                "can_book": bool(user.facility_group_ids),
                "page_name": "facility_instrument",
                "default_url": "/my/instruments",
            }
        )
        return request.render("core_facility.portal_my_instruments", values)

    @http.route(["/my/instruments/<string:instrument_id>"], type="http", auth="user", website=True)
    def portal_instrument(self, instrument_id, **kwargs):
        """One instrument of the catalogue: picture, description, location, contact, rules."""
        instrument = self._catalogue_instrument(instrument_id, CATALOGUE_DOMAIN)
        if not instrument:
            return self._not_found(
                request.env._("No instrument of the catalogue has this number."),
                "/my/instruments",
            )
        policy = instrument.booking_policy_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instrument": instrument,
                "policy": policy,
                "slots": policy.slot_ids.sorted("sequence"),
                "qualified": instrument.is_user_qualified(request.env.user),
                "bookable": bool(instrument.filtered_domain(BOOKABLE_DOMAIN)),
                "can_book": bool(request.env.user.facility_group_ids),
                "tz_hint": self._tz_hint(instrument._booking_tz()),
                "is_html_empty": is_html_empty,
                "page_name": "facility_instrument_page",
                "free_weeks": self._free_weeks(instrument),
            }
        )
        return request.render("core_facility.portal_instrument", values)

    def _free_weeks(self, instrument):
        """The next two weeks (Monday to Sunday; from next week when nothing is left of this one)
        as grids of the times this user may book on
        ``instrument``, judged by the instrument's own rules (its time API): ``[{"days":
        [date], "rows": [(label, [cell or None])]}]``, a cell holding the form's start and
        stop in the instrument's time zone."""
        user = request.env.user
        group = user.facility_group_ids[:1]
        if not group or not instrument.filtered_domain(BOOKABLE_DOMAIN):
            return []
        tz = instrument._booking_tz()
        today = datetime.now(tz).date()
        monday = today - timedelta(days=today.weekday())
        window = [
            pytz_localize(tz, datetime.combine(day, datetime.min.time()))
            for day in (monday, monday + timedelta(days=21))
        ]
        policy = instrument.booking_policy_id
        whole_days = bool(policy) and policy.whole_days_only
        times = instrument.get_bookable_times(
            user, group, window[0], window[1], 24 if whole_days else 1, step_minutes=60
        )
        cells = {}
        for start, stop in times:
            local_start = to_local_naive(start, tz)
            local_stop = to_local_naive(stop, tz)
            cells[local_start.date(), local_start.strftime("%H:%M")] = {
                "start": local_start.strftime("%Y-%m-%dT%H:%M"),
                "stop": local_stop.strftime("%Y-%m-%dT%H:%M"),
                "until": local_stop.strftime("%H:%M"),
            }
        labels = sorted({label for _day, label in cells})
        weeks = []
        for offset in (0, 7, 14):
            days = [monday + timedelta(days=offset + i) for i in range(7)]
            rows = [(label, [cells.get((day, label)) for day in days]) for label in labels]
            weeks.append({"days": days, "rows": [row for row in rows if any(row[1])]})
        # the next two weeks: this week, unless nothing is left of it (a Sunday), and the next
        return weeks[1:] if not weeks[0]["rows"] else weeks[:2]

    def _not_found(self, message, back_url):
        """A 404 page of the portal that says why, with a way back."""
        values = self._prepare_portal_layout_values()
        values.update({"message": message, "back_url": back_url, "page_name": "facility_not_found"})
        return request.render("core_facility.portal_facility_not_found", values, status=404)

    def _catalogue_instrument(self, instrument_id, domain):
        """The instrument ``instrument_id`` (as received) within ``domain``, or an empty record."""
        Instrument = request.env["facility.instrument"]
        number = record_id(instrument_id)
        return Instrument.search([("id", "=", number), *domain]) if number else Instrument

    # -- qualifications --------------------------------------------------------------------------

    @http.route(["/my/qualifications"], type="http", auth="user", website=True)
    def portal_my_qualifications(self, **kwargs):
        qualifications = request.env["facility.qualification"].search(
            [("user_id", "=", request.env.user.id)]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "qualifications": qualifications,
                "page_name": "facility_qualification",
            }
        )
        return request.render("core_facility.portal_my_qualifications", values)

    # -- bookings --------------------------------------------------------------------------------

    def _booking_domain(self):
        user = request.env.user
        return ["|", ("operator_id", "=", user.id), ("booked_by_id", "=", user.id)]

    @http.route(["/my/bookings"], type="http", auth="user", website=True)
    def portal_my_bookings(self, booked=None, **kwargs):
        return self._render_bookings(booked=booked)

    def _render_bookings(self, booked=None, error=None, status=200):
        """The user's bookings, each in its instrument's time zone, and their allocated time."""
        env = request.env
        user = env.user
        bookings = env["facility.booking"].search(self._booking_domain())
        zones = {}
        for instrument in bookings.instrument_id:
            zones[instrument.id] = instrument._booking_tz()
        booked_id = record_id(booked)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "bookings": bookings,
                "zones": {key: tz.zone for key, tz in zones.items()},
                "tz_hint": self._bookings_tz_hint(set(zones.values())),
                "instruments": env["facility.instrument"].search(BOOKABLE_DOMAIN),
                "groups": user.facility_group_ids,
                "allocations": env["facility.booking.allocation"].search(
                    [
                        ("research_group_id", "in", user.facility_group_ids.ids),
                        ("month", ">=", fields.Date.context_today(user).replace(day=1)),
                    ],
                    order="month, instrument_id",
                ),
                "booked": bookings.filtered(lambda b: b.id == booked_id),
                "page_name": "facility_booking",
                "error": error,
            }
        )
        return request.render("core_facility.portal_my_bookings", values, status=status)

    def _tz_hint(self, tz):
        return request.env._(
            "Times are in the instrument's time zone: %(zone)s (UTC%(offset)s).",
            zone=tz.zone,
            offset=tz_offset(tz),
        )

    def _bookings_tz_hint(self, zones):
        if len(zones) == 1:
            return self._tz_hint(next(iter(zones)))
        if zones:
            return request.env._("Times are in each instrument's time zone, named beside them.")
        return ""

    @http.route(
        ["/my/bookings/new"], type="http", auth="user", methods=["GET", "POST"], website=True
    )
    def portal_booking_new(self, instrument_id=None, **post):
        """The booking form of one instrument (GET), or the booking it sends (POST).

        Without an instrument, the user first chooses one. Refused input shows the form again
        with the reasons and the values typed, with status 400 (input the form cannot take) or
        422 (a booking rule refused it).
        """
        instrument = self._catalogue_instrument(instrument_id, BOOKABLE_DOMAIN)
        if not instrument:
            if instrument_id in (None, ""):
                return self._render_booking_form(instrument)
            error = request.env._("This instrument cannot be booked here: choose one in the list.")
            return self._render_booking_form(instrument, error=error, status=404)
        form = {name: str(post.get(name) or "").strip() for name in FORM_FIELDS}
        # what the form shows again: as typed, within reason
        shown = {name: value[:ECHO_MAX] for name, value in form.items()}
        if request.httprequest.method != "POST":
            return self._render_booking_form(instrument, shown)
        try:
            vals = self._booking_values(instrument, form)
            with request.env.cr.savepoint():
                booking = request.env["facility.booking"].create(vals)
        except BookingRefused as refusal:
            return self._render_booking_form(instrument, shown, str(refusal), refusal.status)
        except (UserError, ValidationError, AccessError) as exc:
            return self._render_booking_form(instrument, shown, str(exc), 422)
        return request.redirect(f"/my/bookings?booked={booking.id}")

    def _booking_values(self, instrument, form):
        """Values of the booking ``form`` asks for on ``instrument``; all refusals at once."""
        _ = request.env._
        problems = []
        user = request.env.user
        group = user.facility_group_ids.filtered(
            lambda g: g.id == record_id(form["research_group_id"])
        )
        if not group:
            problems.append(_("Choose one of your research groups."))
        purpose = form["purpose"]
        if not purpose:
            problems.append(_("Give the purpose of the session."))
        elif len(purpose) > PURPOSE_MAX:
            problems.append(
                _(
                    "The purpose may have at most %(limit)s characters; it has %(count)s.",
                    limit=PURPOSE_MAX,
                    count=len(purpose),
                )
            )
        tz = instrument._booking_tz()
        start = self._form_datetime(form["date_start"], _("Start"), tz, problems)
        stop = self._form_datetime(form["date_stop"], _("End"), tz, problems)
        if start and stop and stop <= start:
            problems.append(_("The booking must end after it starts."))
        if problems:
            raise BookingRefused(problems)
        vals = {
            "instrument_id": instrument.id,
            "research_group_id": group.id,
            "operator_id": user.id,
            "purpose": purpose,
            "date_start": start,
            "date_stop": stop,
        }
        policy = instrument.sudo().booking_policy_id
        for name, needed_by in BOOKING_OPTIONS.items():
            if needed_by(policy):
                vals[name] = bool(form[name])
        return vals

    def _form_datetime(self, value, label, tz, problems):
        """``value`` typed in ``tz`` as a naive UTC datetime, or None with a problem noted."""
        _ = request.env._
        if not value:
            problems.append(_("%(field)s: give a date and a time.", field=label))
            return None
        for pattern in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        else:
            problems.append(
                _(
                    "%(field)s: %(value)s is not a date and time such as 2026-03-05 09:30.",
                    field=label,
                    value=value[:40],
                )
            )
            return None
        today = datetime.now(tz).replace(tzinfo=None).date()
        first, last = today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AFTER)
        if not first <= moment.date() <= last:
            problems.append(
                _(
                    "%(field)s: %(value)s is out of range; bookings lie between %(first)s and "
                    "%(last)s.",
                    field=label,
                    value=moment.strftime("%Y-%m-%d %H:%M"),
                    first=first.isoformat(),
                    last=last.isoformat(),
                )
            )
            return None
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _render_booking_form(self, instrument, form=None, error=None, status=200):
        user = request.env.user
        policy = instrument.sudo().booking_policy_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instrument": instrument,
                "instruments": request.env["facility.instrument"].search(BOOKABLE_DOMAIN),
                "groups": user.facility_group_ids,
                "form": form or {},
                "error": error,
                "policy": policy,
                "slots": policy.slot_ids.sorted("sequence"),
                "options": {
                    name: bool(needed_by(policy)) for name, needed_by in BOOKING_OPTIONS.items()
                },
                "purpose_max": PURPOSE_MAX,
                "tz_hint": self._tz_hint(instrument._booking_tz()) if instrument else "",
                "is_html_empty": is_html_empty,
                "page_name": "facility_booking_new",
            }
        )
        return request.render("core_facility.portal_booking_form", values, status=status)

    @http.route(
        ["/my/bookings/<string:booking_id>/cancel"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_booking_cancel(self, booking_id, **kwargs):
        """Cancel one's own booking; anyone else's, or an unknown one, is not found."""
        number = record_id(booking_id)
        bookings = request.env["facility.booking"]
        booking = (
            bookings.search([("id", "=", number), *self._booking_domain()]) if number else bookings
        )
        not_found = request.env._("You have no booking with this number.")
        if not booking:
            return self._not_found(not_found, "/my/bookings")
        try:
            booking.check_access("write")
            with request.env.cr.savepoint():
                booking.action_cancel()
        except (AccessError, MissingError):
            return self._not_found(not_found, "/my/bookings")
        except (UserError, ValidationError) as exc:
            return self._render_bookings(error=str(exc), status=422)
        return request.redirect("/my/bookings")
