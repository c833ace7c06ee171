"""The booking presets of ``data/`` are complete by themselves: no demo file changes them, and
none names a certification level record (policies name levels by their role)."""

from pathlib import Path

from lxml import etree

ADDON = Path(__file__).resolve().parent.parent / "addons" / "core_facility"
POLICY_MODELS = {"facility.booking.policy", "facility.booking.slot", "facility.booking.quota"}


def _records(folder):
    for path in sorted((ADDON / folder).glob("*.xml")):
        tree = etree.parse(str(path))
        for node in tree.iter("record", "function"):
            yield path.name, node


def test_demo_data_never_changes_a_preset():
    changed = [
        (name, node.get("id") or node.get("name"))
        for name, node in _records("demo")
        if node.get("model") in POLICY_MODELS
    ]
    assert not changed, f"demo files change booking presets: {changed}"


def test_presets_name_levels_by_role_only():
    for _name, node in _records("data"):
        if node.get("model") != "facility.booking.policy":
            continue
        fields = {field.get("name") for field in node.iter("field")}
        assert not {f for f in fields if f.endswith("level_id")}, node.get("id")


def test_seed_families_have_their_rules():
    presets = {
        node.get("id"): {f.get("name"): (f.text or f.get("eval") or f.get("ref")) for f in node}
        for _name, node in _records("data")
        if node.get("model") == "facility.booking.policy"
    }
    assert presets["policy_tem_routine"]["offhours_role"] == "independent"
    assert presets["policy_talos"]["whole_day_role"] == "independent"
    assert presets["policy_helios"]["weekend_role"] == "certified"
    assert presets["policy_helios"]["preparation_required"] == "True"
    for preset in ("policy_talos", "policy_titan", "policy_helios"):
        assert presets[preset]["allocation_required"] == "True", preset
