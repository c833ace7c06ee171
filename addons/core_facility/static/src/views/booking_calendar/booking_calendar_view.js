import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { calendarView } from "@web/views/calendar/calendar_view";

/** The bookings calendar: a new booking's dialog is titled for a booking, not an event. */
export class FacilityBookingCalendarController extends CalendarController {
    get editRecordDefaultDisplayText() {
        return _t("New Booking");
    }
}

export const facilityBookingCalendarView = {
    ...calendarView,
    Controller: FacilityBookingCalendarController,
};

registry.category("views").add("facility_booking_calendar", facilityBookingCalendarView);
