"""A bare Flask app answering "ok": the floor the kiosk pages are compared against."""

from flask import Flask

app = Flask("bare")


@app.get("/")
def ok():
    """Answer "ok" and nothing else."""
    return "ok"
