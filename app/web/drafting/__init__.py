"""The "Utkast" tab: draft a yttrande section by section, check it, export it."""
