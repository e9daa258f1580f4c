"""Public ticket pages for kiosks and phones: Usul / Sanggah and Cek Tiket."""

from flask import Blueprint

bp = Blueprint("usul", __name__)
