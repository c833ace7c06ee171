"""Every addon ships a complete zh_CN translation whose placeholders match the source strings."""

import re
from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract_python

ADDONS = Path(__file__).resolve().parent.parent / "addons"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sd]")
MANIFESTS = sorted(ADDONS.glob("*/__manifest__.py"))


def test_there_are_addons():
    assert MANIFESTS


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_zh_cn_is_complete_and_consistent(manifest):
    addon = manifest.parent
    pot = polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))
    po = polib.pofile(str(addon / "i18n" / "zh_CN.po"))
    translated = {entry.msgid: entry.msgstr for entry in po}
    missing = [entry.msgid for entry in pot if not translated.get(entry.msgid)]
    assert not missing, f"untranslated in {addon.name}: {missing[:5]}"
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


PYTHON_FILES = sorted(p for p in ADDONS.glob("*/**/*.py") if "tests" not in p.parts)


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ADDONS)))
def test_terms_can_be_extracted(path):
    """Odoo's export reads every file's translatable terms with Babel, which evaluates the string
    tokens of a translated call: an f-string among them makes it skip the whole file's terms."""
    with path.open("rb") as source:
        list(extract_python(source, ["_", "_lt"], [], {}))
