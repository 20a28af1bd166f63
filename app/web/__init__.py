"""The Gradio web UI: per tab a page (components, events) over a plain session; the server."""
