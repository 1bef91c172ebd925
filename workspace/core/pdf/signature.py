"""Signature and initials images: typed names rendered in a handwriting font, drawn or
uploaded images checked and normalised to a transparent PNG."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont, UnidentifiedImageError

from workspace.core.errors import ValidationFailed

HANDWRITING_FONT = Path(__file__).resolve().parent / "fonts" / "DancingScript-Regular.ttf"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_SIDE = 2000
OUTPUT_HEIGHT = 160
INK = (17, 24, 64, 255)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(HANDWRITING_FONT), size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def typed_signature_png(text: str, *, field: str = "value") -> bytes:
    """Render a typed name as it looks in the portal (Dancing Script, dark ink)."""
    text = " ".join(text.split())
    if not text:
        raise ValidationFailed("Type your name to sign.", field=field)
    if len(text) > 80:
        raise ValidationFailed("A typed signature can be at most 80 characters.", field=field)
    font = _font(110)
    left, top, right, bottom = font.getbbox(text)
    pad = 24
    image = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((pad - left, pad - top), text, font=font, fill=INK)
    return _png(image)


def normalize_signature_image(data: bytes, *, field: str = "value") -> bytes:
    """Accept a PNG or JPEG (drawn on the canvas or uploaded); return a trimmed PNG.

    Near-white backgrounds of uploaded photos/scans become transparent so the signature
    sits on the document like ink.
    """
    if not data:
        raise ValidationFailed("The signature image is empty.", field=field)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed("The signature image must be under 2 MB.", field=field)
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in ("PNG", "JPEG"):
            raise ValidationFailed("Upload the signature as a PNG or JPEG image.", field=field)
        if max(image.size) > 8000:
            raise ValidationFailed("The signature image is too large.", field=field)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed("The signature is not a readable image.", field=field) from exc
    image = image.convert("RGBA")
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    red, green, blue, alpha = image.split()
    lightest = ImageChops.darker(ImageChops.darker(red, green), blue)
    ink_mask = lightest.point(lambda value: 0 if value > 235 else 255)
    image.putalpha(ImageChops.multiply(alpha, ink_mask))
    box = image.getchannel("A").point(lambda alpha: 255 if alpha > 16 else 0).getbbox()
    if box is None:
        raise ValidationFailed("The signature is blank. Draw, type or upload it.", field=field)
    image = image.crop(box)
    if image.height > OUTPUT_HEIGHT * 2:
        ratio = OUTPUT_HEIGHT * 2 / image.height
        image = image.resize((max(1, int(image.width * ratio)), OUTPUT_HEIGHT * 2))
    return _png(image)
