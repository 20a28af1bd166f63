"""The Gradio web UI: server, access and admission control, uploads, one page per tab."""
