"""Image files for the upload tests, made with Pillow."""
import io

from PIL import Image, PngImagePlugin


def png(size=(8, 6), color=(200, 30, 30), text: dict | None = None, mode="RGB") -> bytes:
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_text(key, value)
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg(size=(8, 6), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def gif(frames=2, size=(5, 5)) -> bytes:
    images = [Image.new("P", size, i) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:])
    return out.getvalue()


def exif_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0)}  # GPS IFD
    return exif.tobytes()
