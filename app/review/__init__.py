"""Recommendations as the app sees them: the coverage check of a reply and its exports."""
