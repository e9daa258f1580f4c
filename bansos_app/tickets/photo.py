"""The optional house photo from a phone: checked, turned upright, shrunk, metadata dropped."""

import io
import warnings

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SIDE = 1280
QUALITY = 80
# Most phone cameras save 12 to 20 megapixels. A 24 MP image decoded in full is about 100 MB
# of RGBA, which a small server with several workers can afford; anything larger is refused
# as a possible decompression bomb (a JPEG is decoded at reduced scale, see _open).
MAX_PIXELS = 24_000_000


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
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still gives 1280 px: a fraction
                # of the memory, and the size we keep anyway.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
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
    # Shrink first (in place): turning or converting the full size would copy every pixel.
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # The camera's "which way up" lives in EXIF, which is dropped: apply it to the pixels first.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        # Transparent parts of a PNG or WebP become white, not black.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    # A fresh save with no exif= or icc_profile= argument writes no metadata at all.
    image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue(), image.width, image.height
