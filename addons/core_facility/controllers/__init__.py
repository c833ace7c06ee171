from . import portal, portal_application, portal_service
