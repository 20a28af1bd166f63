"""The "Läs in" and "Översikt" tabs: uploads read into the store, and what the store holds."""
