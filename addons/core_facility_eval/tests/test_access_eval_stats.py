"""Access rows of the stats area (filled by the area's author)."""

MODELS = {}
FIELD_ROWS = []
