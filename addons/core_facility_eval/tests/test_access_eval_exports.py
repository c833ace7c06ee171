"""Access rows of the exports area (filled by the area's author)."""

MODELS = {}
FIELD_ROWS = []
