"""What the app and the slides draw: per-request pictures and files (`page`), the captioned panels and
metric lines (`presentation`), the slide deck (`slides`) and the Hugging Face Space's files (`deploy`).
`app.py` is the wiring; this package holds the work."""
