"""Access rows of the figures area (filled by the area's author)."""

MODELS = {}
FIELD_ROWS = []
