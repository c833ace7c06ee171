from . import portal, portal_application
