"""
Hostile XLSX files written directly as zipped XML (openpyxl would need the whole text in memory and
minutes for millions of rows): one huge shared-string cell, or very many rows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _zip(parts: dict[str, Iterable[bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return buffer.getvalue()


def _fixed(name: str, text: str) -> tuple[str, list[bytes]]:
    return name, [text.encode()]


def huge_cell_xlsx(header: list[str], characters: int) -> bytes:
    """A header row and one row whose first cell is a shared string of `characters` letters."""
    strings = [*header]

    def shared() -> Iterable[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode()
        for text in strings:
            yield f"<si><t>{text}</t></si>".encode()
        yield b"<si><t>"
        block = b"A" * 2**20
        left = characters
        while left > 0:
            yield block[: min(left, len(block))]
            left -= len(block)
        yield b"</t></si></sst>"

    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(header)))
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
        f'<row r="1">{cells}</row><row r="2"><c r="A2" t="s"><v>{len(header)}</v></c></row>'
        "</sheetData></worksheet>"
    )
    return _zip(
        {
            **dict([_fixed("[Content_Types].xml", _CONTENT_TYPES), _fixed("_rels/.rels", _RELS)]),
            **dict([_fixed("xl/workbook.xml", _WORKBOOK), _fixed("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)]),
            "xl/sharedStrings.xml": shared(),
            **dict([_fixed("xl/worksheets/sheet1.xml", sheet)]),
        }
    )


def many_rows_xlsx(header: list[str], rows: int, *, broken_after: int | None = None) -> bytes:
    """
    A header and `rows` rows of inline strings. With `broken_after`, the sheet's XML is cut off after
    that many rows: a reader that goes past them fails with "cannot be read" instead of stopping.
    """
    columns = [chr(65 + i) for i in range(len(header))]

    def sheet() -> Iterable[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode()
        cells = "".join(
            f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip(columns, header, strict=True)
        )
        yield f'<row r="1">{cells}</row>'.encode()
        batch = []
        for n in range(2, rows + 2):
            batch.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>row-{n}</t></is></c></row>')
            if broken_after is not None and n - 1 == broken_after:
                yield "".join(batch).encode()
                yield b"<row r=broken"
                return
            if len(batch) == 10_000:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + "</sheetData></worksheet>").encode()

    return _zip(
        {
            **dict([_fixed("[Content_Types].xml", _CONTENT_TYPES), _fixed("_rels/.rels", _RELS)]),
            **dict([_fixed("xl/workbook.xml", _WORKBOOK), _fixed("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)]),
            "xl/sharedStrings.xml": [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}"/>'.encode()],
            "xl/worksheets/sheet1.xml": sheet(),
        }
    )
