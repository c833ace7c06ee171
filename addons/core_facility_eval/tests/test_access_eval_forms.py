"""Access rows of the forms area (filled by the area's author)."""

MODELS = {}
FIELD_ROWS = []
