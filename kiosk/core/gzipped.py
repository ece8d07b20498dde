"""A gzip body made of parts, where the large part is compressed once and kept.

The ledger's pages are mostly their list (50 rows), which each app server keeps rendered until
the ledger changes; gzipping the whole page again on every view was a tenth of its time
(bench/RESULTS.md). A deflate stream may be cut into pieces that each end on a byte boundary (a sync flush) and
never refer back past their own start: such pieces, compressed apart, join into one valid stream.
So the kept list is compressed once, and each view compresses only the few KB around it.
(Flask-Compress, which gzips every other page, compresses a body whole and has no such parts.)
"""
import struct
import zlib
from typing import NamedTuple

#: gzip's header: deflate, no name or time, unknown OS (RFC 1952)
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: an empty last block, which ends the stream after the parts' sync flushes
_LAST_BLOCK = b"\x03\x00"
#: fast rather than small: these pages go to office computers, not to phones on 4G
LEVEL = 1


class Part(NamedTuple):
    """Bytes and their deflated form, ready to be joined."""
    data: bytes
    deflated: bytes


def part(data: bytes) -> Part:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Part(data, compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))


def gzip_of(*parts: Part | bytes) -> bytes:
    """One gzip member holding the parts in order (bytes are compressed here, Parts as kept)."""
    pieces, crc, size = [_HEADER], 0, 0
    for piece in parts:
        if not isinstance(piece, Part):
            piece = part(piece)
        pieces.append(piece.deflated)
        crc = zlib.crc32(piece.data, crc)
        size += len(piece.data)
    pieces += [_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(pieces)
