"""Make the addons' pure rule packages importable without Odoo.

``core_facility`` is registered as a bare package pointing at ``addons/core_facility`` so that
``core_facility.rules`` imports without running the addon's ``__init__`` (which needs Odoo).
"""

import sys
import types
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"

for addon in sorted(p for p in ADDONS.iterdir() if (p / "rules").is_dir()):
    if addon.name not in sys.modules:
        package = types.ModuleType(addon.name)
        package.__path__ = [str(addon)]
        sys.modules[addon.name] = package
