from . import portal_booking
