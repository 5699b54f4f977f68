"""Reading a .docx back the way a reader sees it, for assertions."""
import io

import docx


def all_text(data: bytes) -> str:
    """Body paragraphs, table cells, headers and footers, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(lines)
