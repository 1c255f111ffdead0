"""Render a QR code as a y4m video, the file Chromium plays as a fake camera.

Chromium's `--use-file-for-fake-video-capture=FILE.y4m` loops the file as the webcam
picture; the scanner only finds the code when the video is at least 640 px tall, so
the default is a 720x720 frame with the code filling most of it.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image

MIN_HEIGHT = 640


def qr_frame(value: str, size: int = 720) -> Image.Image:
    """A square RGB picture of `value` as a QR code on a white background."""
    qr = segno.make_qr(value, error="m")
    modules = qr.symbol_size(scale=1, border=4)[0]
    # Integer scale keeps the module edges sharp; the rest is white padding.
    scale = max(1, size // modules)
    png = io.BytesIO()
    qr.save(png, kind="png", scale=scale, border=4)
    png.seek(0)
    code = Image.open(png).convert("RGB")
    frame = Image.new("RGB", (size, size), "white")
    frame.paste(code, ((size - code.width) // 2, (size - code.height) // 2))
    return frame


def write_y4m(frame: Image.Image, path: Path, frames: int = 30, fps: int = 15) -> Path:
    """Write `frame` repeated `frames` times as a 4:2:0 y4m video at `path`."""
    width, height = frame.size
    if height < MIN_HEIGHT:
        raise ValueError(f"the fake camera needs a video at least {MIN_HEIGHT} px tall")
    if width % 2 or height % 2:
        raise ValueError("4:2:0 video needs even width and height")
    # Pillow's YCbCr is full-range BT.601, which is what C420jpeg declares.
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = (
        y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return path


def write_qr_y4m(value: str, path: Path, size: int = 720) -> Path:
    """Write a y4m video showing `value` as a QR code; returns `path`."""
    return write_y4m(qr_frame(value, size), path)


def write_picture_y4m(png: bytes, path: Path, size: int = 720) -> Path:
    """Write a y4m video of a picture (e.g. a screenshot of the customer's My code screen)."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    scale = (size - 80) / max(picture.size)
    picture = picture.resize(
        (round(picture.width * scale), round(picture.height * scale)), Image.NEAREST
    )
    frame = Image.new("RGB", (size, size), "white")
    frame.paste(picture, ((size - picture.width) // 2, (size - picture.height) // 2))
    return write_y4m(frame, path)
