import io

import pytest
from PIL import Image, ImageDraw

from workspace.core.errors import ValidationFailed
from workspace.core.pdf.signature import normalize_signature_image, typed_signature_png


def _image(fmt: str, *, background=(255, 255, 255), ink=True, size=(400, 150)) -> bytes:
    image = Image.new("RGB", size, background)
    if ink:
        ImageDraw.Draw(image).line([(50, 100), (150, 40), (300, 110)], fill=(10, 10, 60), width=6)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def test_typed_signature_is_a_transparent_png_of_the_name():
    png = Image.open(io.BytesIO(typed_signature_png("  Jane   Doe ")))
    assert png.format == "PNG" and png.mode == "RGBA"
    assert png.width > 2 * png.height
    assert png.getpixel((0, 0))[3] == 0
    with pytest.raises(ValidationFailed, match="Type your name"):
        typed_signature_png("   ")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_uploaded_images_are_trimmed_and_white_becomes_transparent(fmt):
    png = Image.open(io.BytesIO(normalize_signature_image(_image(fmt))))
    assert png.format == "PNG"
    assert png.width < 400 and png.height < 150  # trimmed to the ink
    assert png.getpixel((0, 0))[3] == 0 or png.getpixel((0, 0))[2] > 0


def test_blank_and_bad_images_are_refused_with_a_clear_message():
    with pytest.raises(ValidationFailed, match="blank"):
        normalize_signature_image(_image("PNG", ink=False))
    with pytest.raises(ValidationFailed, match="not a readable image"):
        normalize_signature_image(b"%PDF-1.4 not an image")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationFailed, match="PNG or JPEG"):
        normalize_signature_image(buffer.getvalue())
