from . import portal, portal_service
