"""The "Fråga" tab: questions answered with cited sources, filtered by type, body and year."""
