"""The optional house photo from a phone: checked, turned upright, shrunk, metadata dropped."""

import io
import warnings

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SIDE = 1280
QUALITY = 80
# A phone camera makes at most about 50 megapixels; anything larger is a decompression bomb.
MAX_PIXELS = 60_000_000


class PhotoError(ValueError):
    """A photo refused, with the message for the resident."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    """Return the largest photo accepted (TICKET_PHOTO_MAX_BYTES)."""
    return int(current_app.config.get("TICKET_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


def _open(data: bytes) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoError(_l("Foto harus berupa gambar JPEG, PNG, atau WebP."))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(
            _l("Gambar terlalu besar untuk diproses. Kirim foto biasa dari kamera.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, PhotoError):
            raise
        raise PhotoError(_l("Berkas itu bukan gambar. Kirim foto JPEG, PNG, atau WebP.")) from None
    return image


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """Return the photo as a JPEG of at most 1280 px a side without metadata: (bytes, w, h)."""
    if not data:
        raise PhotoError(_l("Berkas foto kosong."))
    if len(data) > max_bytes():
        raise PhotoError(_l("Foto terlalu besar. Paling besar %(mb)d MB.", mb=max_bytes() // 2**20))
    image = _open(data)
    # The camera's "which way up" lives in EXIF, which is dropped: apply it to the pixels first.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        # Transparent parts of a PNG or WebP become white, not black.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh save with no exif= or icc_profile= argument writes no metadata at all.
    image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue(), image.width, image.height
