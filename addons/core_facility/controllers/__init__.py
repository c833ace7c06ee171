from . import integrity_record, portal, portal_application, portal_service
