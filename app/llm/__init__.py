"""Language-model plumbing: clients, masking of personal data, calls with a deadline, prompts."""
