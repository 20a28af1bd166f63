"""Drafting a yttrande: draft model and store, precedent, drafter, assembly, Word export."""
