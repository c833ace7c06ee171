from . import portal, portal_booking, statement_xlsx
