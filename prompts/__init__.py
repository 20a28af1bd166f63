"""Swedish prompt templates, kept as files beside this module."""
