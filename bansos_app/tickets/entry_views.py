"""Tickets staff enter at /staf/tiket/baru: assisted registration and village proposals."""

from flask import Blueprint

bp = Blueprint("ticket_entry", __name__)
