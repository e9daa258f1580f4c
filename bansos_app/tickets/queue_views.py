"""Staff ticket queues at /staf/tiket/: village verification and Dinsos decisions."""

from flask import Blueprint

bp = Blueprint("tickets", __name__)
