from . import portal, statement_xlsx
