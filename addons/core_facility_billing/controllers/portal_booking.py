"""The portal booking form shows the estimated charge before the booking is made (issue 11,
item 7): the rate of the chosen group's payer category, and once start and end are typed (the
"Estimate the Charge" button sends them back to the form), the booked time priced by the fee
standard valid that day."""

from datetime import timedelta

from odoo import fields
from odoo.http import request

from odoo.addons.core_facility.controllers.portal import FacilityPortal, record_id

from ..rules.codes import FeeUnit


class FacilityBillingPortal(FacilityPortal):
    def _render_booking_form(self, instrument, form=None, error=None, status=200):
        response = super()._render_booking_form(instrument, form, error, status)
        if instrument and getattr(response, "qcontext", None) is not None:
            response.qcontext["facility_estimate"] = self._facility_estimate(instrument, form or {})
        return response

    def _facility_estimate(self, instrument, form):
        """``{"text": sentence}`` for the form: the estimate, the rate, or why none."""
        env = request.env
        _ = env._
        groups = env.user.facility_group_ids
        group = groups.filtered(lambda g: g.id == record_id(form.get("research_group_id")))
        group = group or groups[:1]
        if not group:
            return {}
        tz = instrument._booking_tz()
        ignored = []
        start = stop = None
        if form.get("date_start") and form.get("date_stop"):
            start = self._form_datetime(form["date_start"], _("Start"), tz, ignored)
            stop = self._form_datetime(form["date_stop"], _("End"), tz, ignored)
        Booking = env["facility.booking"]
        if start and stop and stop > start:
            probe = Booking.new(
                {
                    "instrument_id": instrument.id,
                    "research_group_id": group.id,
                    "date_start": start,
                    "date_stop": stop,
                }
            )
            amount, standard = probe._facility_estimate()
            if standard:
                return {
                    "text": _(
                        "Estimated charge: %(amount).2f 元 (%(hours)s h at %(rate).2f 元 per "
                        "%(unit)s, %(category)s rate), charged to %(group)s.",
                        amount=amount,
                        hours=format((stop - start).total_seconds() / 3600, "g"),
                        rate=standard.unit_price,
                        unit=_unit_label(env, standard),
                        category=_category_label(env, standard),
                        group=group.name,
                    )
                }
        else:
            probe = Booking.new(
                {
                    "instrument_id": instrument.id,
                    "research_group_id": group.id,
                    "date_start": _now_utc(),
                    "date_stop": _now_utc(hours=1),
                }
            )
            standard = probe._facility_estimate()[1]
            if standard:
                return {
                    "text": _(
                        "Rate for %(group)s: %(rate).2f 元 per %(unit)s (%(category)s rate); "
                        "enter the start and end, then estimate the charge.",
                        group=group.name,
                        rate=standard.unit_price,
                        unit=_unit_label(env, standard),
                        category=_category_label(env, standard),
                    )
                }
        return {
            "text": _(
                "No approved fee standard prices %(instrument)s for %(group)s on this day: the "
                "time is charged once the standard is approved.",
                instrument=instrument.name,
                group=group.name,
            )
        }


def _unit_label(env, standard):
    return dict(standard._fields["fee_unit"]._description_selection(env)).get(
        standard.fee_unit, FeeUnit.HOUR
    )


def _category_label(env, standard):
    return dict(standard._fields["payer_category"]._description_selection(env)).get(
        standard.payer_category, ""
    )


def _now_utc(hours=0):
    return fields.Datetime.now().replace(second=0, microsecond=0) + timedelta(hours=hours)
