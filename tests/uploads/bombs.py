"""Decompression bombs, made by the tests themselves: small files whose header claims a huge
picture. Pillow would first build the whole picture in memory to write one, so each is written
by hand or by patching the header of a tiny real picture."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int, height: int) -> bytes:
    """A one-colour black-and-white PNG, its pixels really there (a few hundred KB)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then one bit a pixel
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    """A JPEG of 16×16 pixels whose frame header claims `width`×`height`."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG")
    data = bytearray(out.getvalue())
    frame = data.index(b"\xff\xc0")  # SOF0: marker, length (2), precision (1), height, width
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


def webp(width: int, height: int) -> bytes:
    """A lossless WebP of 16×16 pixels whose header claims `width`×`height` (at most 16384)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "WEBP", lossless=True)
    data = bytearray(out.getvalue())
    start = data.index(b"VP8L") + 9  # chunk name, chunk size, the 0x2f signature
    # 14 bits of width - 1, then 14 bits of height - 1, then the alpha flag and the version.
    bits = int.from_bytes(data[start : start + 4], "little")
    bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
    data[start : start + 4] = bits.to_bytes(4, "little")
    return bytes(data)


# The attack (16383×3051 WebP; 7000×7000 photos) and one far past Pillow's own limit.
BOMBS = {
    "webp-16383x3051": lambda: webp(16383, 3051),
    "jpeg-7000x7000": lambda: jpeg(7000, 7000),
    "png-20000x20000": lambda: png(20000, 20000),
}
