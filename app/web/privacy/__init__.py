"""The "Personuppgifter" tab: which documents hold personal data, and where, shown masked."""
