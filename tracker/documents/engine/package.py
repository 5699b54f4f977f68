"""Zip plumbing for .docx packages: keep untouched parts compressed, write only what changed.

Re-deflating styles, themes, fonts and images on every render costs more than filling the
placeholders, so unchanged entries are carried over as the compressed bytes read from the
template and written back verbatim; only the rendered XML parts are deflated again.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO

from tracker.documents.engine.problems import N_, Problem, shown

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # local file header, without name and extra field
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_UTF8_NAME = 0x800
_ZIP32_LIMIT = 0xFFFFFFFF
# One segment of a part name (ECMA-376 part 2, 6.2.2): URI path characters, no '/' or '\\'.
_SEGMENT = re.compile(r"[\w\-.~!$&'()*+,;=:@%\[\]]+")
MAX_NAME = 300


def name_problem(name: str) -> Problem | None:
    """Why an archive entry name is not a normal part name, or None when it is.

    Every entry of a template is copied into each agreement made from it, and unzip tools
    write entries where their names say: an entry called ``../../x``, ``/etc/x`` or
    ``word\\..\\x`` must never get that far.  A folder entry (``word/``) is allowed and skipped.
    """
    text = shown(name)
    if "\\" in name:
        return Problem(N_("the entry %(name)s uses backslashes; a Word document names its parts with '/'"),
                       name=text)
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return Problem(N_("the entry %(name)s is an absolute path"), name=text)
    segments = name.removesuffix("/").split("/")
    if any(segment in (".", "..") for segment in segments):
        return Problem(N_("the entry %(name)s climbs out of the document with '..'"), name=text)
    if len(name) > MAX_NAME or not all(_SEGMENT.fullmatch(s) and not s.endswith(".") for s in segments):
        return Problem(N_("the entry %(name)s is not a normal part name"), name=text)
    return None


def is_folder(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith("/") and info.file_size == 0


@dataclass(frozen=True, slots=True)
class Entry:
    """One zip member, already compressed: what the writer copies into the output."""

    name: str
    method: int  # zipfile.ZIP_STORED or zipfile.ZIP_DEFLATED
    dos_time: int
    dos_date: int
    crc: int
    size: int
    payload: bytes  # the bytes as stored in the archive (compressed when method is deflate)


def _dos_stamp(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = max(year, 1980)  # zip dates cannot express anything earlier
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def deflate(name: str, data: bytes, date_time: tuple[int, ...], level: int = 6) -> Entry:
    """Compress freshly rendered bytes into an entry (raw deflate, as zip expects)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    payload = packer.compress(data) + packer.flush()
    dos_time, dos_date = _dos_stamp(date_time)
    return Entry(name, zipfile.ZIP_DEFLATED, dos_time, dos_date, zlib.crc32(data), len(data), payload)


def read_package(data: bytes, wanted) -> list[Entry | tuple[zipfile.ZipInfo, bytes]]:
    """Split a package into raw entries and the decompressed members for which wanted(name) is true.

    Returns a list in archive order whose items are either an Entry (kept as stored) or a
    (ZipInfo, content) pair for a member the caller will transform.  Raises zipfile.BadZipFile
    or ValueError for archives this writer cannot reproduce (encrypted, zip64) or must not
    (an entry name that is not a normal part name).
    """
    items: list = []
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for info in archive.infolist():
            problem = name_problem(info.filename)
            if problem is not None:  # a template stored before names were checked at upload
                raise ValueError(problem)
            if is_folder(info):
                continue  # folders are implied by the part names; Word writes none
            if info.flag_bits & 0x1:
                raise ValueError(f"{info.filename} is encrypted")
            if info.file_size >= _ZIP32_LIMIT or info.compress_size >= _ZIP32_LIMIT:
                raise ValueError(f"{info.filename} is too large")
            if wanted(info.filename):
                items.append((info, archive.read(info)))
            else:
                items.append(_raw_entry(archive, info, data))
    return items


def _raw_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> Entry:
    dos_time, dos_date = _dos_stamp(info.date_time)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # bzip2/lzma members are legal zip but Word never reads them back: normalise to deflate
        return deflate(info.filename, archive.read(info), info.date_time)
    start = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_len + extra_len
    payload = data[begin : begin + info.compress_size]
    if len(payload) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is truncated")
    return Entry(info.filename, info.compress_type, dos_time, dos_date, info.CRC, info.file_size, payload)


def write_package(entries: list[Entry]) -> bytes:
    """Assemble a zip archive from already-compressed entries (no data descriptors, no zip64)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_NAME
        head = _LOCAL.pack(
            0x04034B50, 20, flags, entry.method, entry.dos_time, entry.dos_date,
            entry.crc, len(entry.payload), entry.size, len(name), 0,
        )
        central.append(
            _CENTRAL.pack(
                0x02014B50, 20, 20, flags, entry.method, entry.dos_time, entry.dos_date,
                entry.crc, len(entry.payload), entry.size, len(name), 0, 0, 0, 0, 0, offset,
            )
            + name
        )
        out += (head, name, entry.payload)
        offset += len(head) + len(name) + len(entry.payload)
    directory = b"".join(central)
    if offset >= _ZIP32_LIMIT or len(entries) > 0xFFFF:
        raise ValueError("document too large for a plain zip archive")
    out.append(directory)
    out.append(_END.pack(0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0))
    return b"".join(out)
