"""Word (.docx) transcripts: ordinary Word files and Microsoft Teams exports.

We read ``word/document.xml`` with lxml directly (after :mod:`.safety` has checked
and decompressed it) instead of through python-docx: that way the exact bytes that
were checked are the bytes parsed, nothing is decompressed twice, and run-level
details we need (bold, line breaks, tracked insertions, content controls) are at hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from . import teams_docx
from .base import ParsedTranscript, TranscriptFileError, no_turns_error
from .labels import LABEL_ALONE_RE, clean, is_time_only, judge_label, nfc, time_to_seconds, words
from .safety import DocxParts, not_docx_error, parse_xml, read_docx_parts
from .turns import Line, assemble, make_line

W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML" documents
)
_HEADING_PREFIXES = ("heading", "rubrik", "title", "titel", "subtitle", "underrubrik")
_FALSE_VALUES = frozenset({"0", "false", "off", "none"})
_TABLE_HEADER_WORDS = frozenset(
    words(
        "talare namn person deltagare speaker name tid tidpunkt time tidskod text yttrande "
        "utsaga transkription transkript citat kommentar svar"
    )
)
_TABLE_MIN_SHARE = 0.6
_MAX_STYLE_DEPTH = 10


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace."""

    def __init__(self, ns: str) -> None:
        def q(name: str) -> str:
            return f"{{{ns}}}{name}"

        self.body, self.p, self.r, self.t = q("body"), q("p"), q("r"), q("t")
        self.tab, self.br, self.cr, self.nb_hyphen = q("tab"), q("br"), q("cr"), q("noBreakHyphen")
        self.tbl, self.tr, self.tc = q("tbl"), q("tr"), q("tc")
        self.sdt, self.sdt_content = q("sdt"), q("sdtContent")
        self.p_pr, self.p_style, self.outline = q("pPr"), q("pStyle"), q("outlineLvl")
        self.r_pr, self.bold, self.r_style = q("rPr"), q("b"), q("rStyle")
        self.val, self.style, self.style_id = q("val"), q("style"), q("styleId")
        self.name, self.based_on = q("name"), q("basedOn")
        # Elements whose children are runs (or more containers) inside a paragraph.
        self.run_containers = frozenset(
            q(n) for n in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo", "dir", "bdo")
        )
        self.block_containers = frozenset({q("customXml"), q("ins")})


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    outline: int | None


@dataclass
class _Styles:
    """Style lookups, memoised: paragraph styles are checked once per paragraph."""

    styles: dict[str, _Style] = field(default_factory=dict)
    _heading: dict[str, bool] = field(default_factory=dict)
    _bold: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_xml(cls, root: etree._Element | None, tags: _Tags) -> _Styles:
        result = cls()
        if root is None:
            return result
        for element in root.iter(tags.style):
            style_id = element.get(tags.style_id)
            if not style_id:
                continue
            name_el, based_el = element.find(tags.name), element.find(tags.based_on)
            r_pr, p_pr = element.find(tags.r_pr), element.find(tags.p_pr)
            result.styles[style_id] = _Style(
                name=(name_el.get(tags.val) or "") if name_el is not None else "",
                based_on=based_el.get(tags.val) if based_el is not None else None,
                bold=_bold_value(r_pr.find(tags.bold), tags) if r_pr is not None else None,
                outline=_outline(p_pr, tags),
            )
        return result

    def _chain(self, style_id: str | None) -> Iterator[tuple[str, _Style | None]]:
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < _MAX_STYLE_DEPTH:
            seen.add(style_id)
            style = self.styles.get(style_id)
            yield style_id, style
            style_id = style.based_on if style else None

    def is_heading(self, style_id: str | None) -> bool:
        if not style_id:
            return False
        if style_id not in self._heading:
            self._heading[style_id] = any(
                sid.casefold().startswith(_HEADING_PREFIXES)
                or (style is not None and style.name.casefold().startswith(_HEADING_PREFIXES))
                or (style is not None and style.outline is not None)
                for sid, style in self._chain(style_id)
            )
        return self._heading[style_id]

    def is_bold(self, style_id: str | None) -> bool:
        if not style_id:
            return False
        if style_id not in self._bold:
            values = (style.bold for _, style in self._chain(style_id) if style and style.bold is not None)
            self._bold[style_id] = next(values, False)
        return self._bold[style_id]


def _bold_value(element: etree._Element | None, tags: _Tags) -> bool | None:
    if element is None:
        return None
    return (element.get(tags.val) or "true").lower() not in _FALSE_VALUES


def _outline(p_pr: etree._Element | None, tags: _Tags) -> int | None:
    """Outline levels 0–8 mark headings even in custom styles; 9 means body text."""
    if p_pr is None:
        return None
    element = p_pr.find(tags.outline)
    if element is None:
        return None
    value = element.get(tags.val) or ""
    return int(value) if value.isdigit() and int(value) < 9 else None


@dataclass
class _Context:
    tags: _Tags
    styles: _Styles


# --- paragraphs ---------------------------------------------------------------------------


def _runs(container: etree._Element, tags: _Tags) -> Iterator[etree._Element]:
    """Runs in reading order; deleted text (w:del, w:moveFrom) and text boxes are skipped."""
    for child in container:
        if child.tag == tags.r:
            yield child
        elif child.tag in tags.run_containers:
            yield from _runs(child, tags)
        elif child.tag == tags.sdt:
            content = child.find(tags.sdt_content)
            if content is not None:
                yield from _runs(content, tags)


def _run_text(run: etree._Element, tags: _Tags) -> str:
    parts: list[str] = []
    for child in run:
        tag = child.tag
        if tag == tags.t:
            parts.append(child.text or "")
        elif tag == tags.tab:
            parts.append("\t")
        elif tag in (tags.br, tags.cr):
            parts.append("\n")
        elif tag == tags.nb_hyphen:
            parts.append("-")
    return "".join(parts)


def _run_bold(run: etree._Element, ctx: _Context, paragraph_bold: bool) -> bool:
    r_pr = run.find(ctx.tags.r_pr)
    if r_pr is not None:
        explicit = _bold_value(r_pr.find(ctx.tags.bold), ctx.tags)
        if explicit is not None:
            return explicit
        r_style = r_pr.find(ctx.tags.r_style)
        if r_style is not None and ctx.styles.is_bold(r_style.get(ctx.tags.val)):
            return True
    return paragraph_bold


def _paragraph_lines(paragraph: etree._Element, ctx: _Context) -> list[Line]:
    """One Line per line of the paragraph (soft line breaks split it)."""
    tags = ctx.tags
    p_pr = paragraph.find(tags.p_pr)
    style_el = p_pr.find(tags.p_style) if p_pr is not None else None
    style_id = style_el.get(tags.val) if style_el is not None else None
    heading = ctx.styles.is_heading(style_id) or _outline(p_pr, tags) is not None
    paragraph_bold = ctx.styles.is_bold(style_id)
    segments: list[list[tuple[str, bool]]] = [[]]
    for run in _runs(paragraph, tags):
        text = _run_text(run, tags)
        if not text:
            continue
        bold = _run_bold(run, ctx, paragraph_bold)
        for index, part in enumerate(text.split("\n")):
            if index:
                segments.append([])
            if part:
                segments[-1].append((part, bold))
    return [_line(line_segments, heading) for line_segments in segments]


def _line(segments: list[tuple[str, bool]], heading: bool) -> Line:
    full = nfc("".join(text for text, _ in segments))
    line = make_line(full, heading=heading)
    text = line.text
    if not text or heading:
        return line
    prefix = ""
    for part, bold in segments:
        if not bold and part.strip():
            break
        prefix += part
    prefix = nfc(prefix)
    label = clean(prefix)
    if not label:
        return line
    if label == text:
        line.all_bold = True
        return line
    rest = full[len(prefix) :]
    if prefix[-1].isspace() or prefix.rstrip()[-1] in ":–-" or rest[:1].isspace() or rest[:1] in ":–-":
        line.bold_label, line.bold_rest = label, clean(rest)
    return line


# --- tables -------------------------------------------------------------------------------


def _cell_is_label(text: str) -> bool:
    if "\n" in text:
        return False
    match = LABEL_ALONE_RE.match(text.rstrip(": \t"))
    info = judge_label(match["label"]) if match else None
    return info is not None and not info.header


def _is_header_row(row: list[str]) -> bool:
    cells = [cell.casefold().rstrip(":") for cell in row if cell]
    return bool(cells) and all(cell in _TABLE_HEADER_WORDS for cell in cells)


def _speaker_columns(rows: list[list[str]]) -> tuple[int, int | None] | None:
    """(speaker column, time column) when the table is a speaker|text transcript table."""
    width = max((len(row) for row in rows), default=0)
    if width < 2:
        return None
    time_col: int | None = None
    for col in range(min(3, width - 1)):
        values = [row[col] for row in rows if col < len(row) and row[col]]
        if len(values) < 2:
            continue
        if sum(map(is_time_only, values)) >= _TABLE_MIN_SHARE * len(values):
            time_col = col
            continue
        if sum(map(_cell_is_label, values)) >= _TABLE_MIN_SHARE * len(values):
            return col, time_col
        return None
    return None


def _table_lines(table: etree._Element, ctx: _Context) -> Iterator[Line]:
    """A speaker|text table gives one Line per row; any other table is read cell by cell.

    Each cell is read exactly once (nested tables would otherwise be re-read at every
    level, which is exponential in the nesting depth).
    """
    tags = ctx.tags
    cells = [[list(_block_lines(tc, ctx)) for tc in tr.iterchildren(tags.tc)] for tr in table.iterchildren(tags.tr)]
    texts = [[_cell_text(lines) for lines in row] for row in cells]
    if texts and _is_header_row(texts[0]):
        cells, texts = cells[1:], texts[1:]
    columns = _speaker_columns(texts)
    if columns is None:
        for row in cells:
            for lines in row:
                yield from lines
        return
    label_col, time_col = columns
    for row in texts:
        line = _speaker_row(row, label_col, time_col)
        if line is not None:
            yield line


def _cell_text(lines: list[Line]) -> str:
    return "\n".join(text for line in lines if (text := _plain(line)))


def _speaker_row(row: list[str], label_col: int, time_col: int | None) -> Line | None:
    label = row[label_col] if label_col < len(row) else ""
    time = time_to_seconds(row[time_col]) if time_col is not None and time_col < len(row) else None
    text = "\n".join(cell for col, cell in enumerate(row) if cell and col not in (label_col, time_col))
    if not label and not text:
        return None
    if not label:
        return Line(text)
    return Line(text, cell_label=label, cell_time=time)


# --- document -----------------------------------------------------------------------------


def _block_lines(container: etree._Element, ctx: _Context) -> Iterator[Line]:
    """Lines of body-level content (paragraphs, tables, content controls) in order."""
    tags = ctx.tags
    for child in container:
        if child.tag == tags.p:
            yield from _paragraph_lines(child, ctx)
        elif child.tag == tags.tbl:
            yield from _table_lines(child, ctx)
        elif child.tag == tags.sdt:
            content = child.find(tags.sdt_content)
            if content is not None:
                yield from _block_lines(content, ctx)
        elif child.tag in tags.block_containers:
            yield from _block_lines(child, ctx)


@dataclass
class _Document:
    parts: DocxParts

    @cached_property
    def lines(self) -> list[Line]:
        root = parse_xml(self.parts.document)
        namespace = etree.QName(root).namespace
        if namespace not in W_NAMESPACES:
            raise not_docx_error("huvuddokumentet är inte WordprocessingML")
        tags = _Tags(namespace)
        styles_root = parse_xml(self.parts.styles) if self.parts.styles else None
        ctx = _Context(tags, _Styles.from_xml(styles_root, tags))
        body = root.find(tags.body)
        return list(_block_lines(body, ctx)) if body is not None else []


def _empty_error() -> TranscriptFileError:
    return TranscriptFileError("Word-dokumentet är tomt: det innehåller ingen text.", "empty")


def _lines(data: bytes, max_uncompressed: int) -> list[Line]:
    try:
        lines = _Document(read_docx_parts(data, max_uncompressed)).lines
    except TranscriptFileError:
        raise
    except (etree.LxmlError, RecursionError, ValueError, LookupError, UnicodeError) as exc:
        # Safety net: whatever odd structure a hostile file has, the user gets a message.
        raise not_docx_error() from exc
    if not any(line.text or line.cell_label for line in lines):
        raise _empty_error()
    return lines


def parse_docx(data: bytes, *, max_uncompressed: int) -> ParsedTranscript:
    """Parse a Word transcript, recognising a Teams export by its content."""
    lines = _lines(data, max_uncompressed)
    plain = teams_docx.join_split_heads([_plain(line) for line in lines])
    teams_style = teams_docx.detect(plain)
    if teams_style:
        turns, notes = teams_docx.parse_lines(plain, teams_style)
        fmt = "teams-docx"
    else:
        turns, notes = assemble(lines)
        fmt = "docx"
    if not turns:
        raise no_turns_error()
    return ParsedTranscript(format=fmt, turns=turns, notes=notes)


def _plain(line: Line) -> str:
    if line.cell_label:
        return f"{line.cell_label}: {line.text}".strip()
    return line.text


def docx_paragraphs(data: bytes, *, max_uncompressed: int) -> list[str]:
    """Every non-empty line (headings included), for the single-speaker import."""
    return [text for line in _lines(data, max_uncompressed) if (text := _plain(line))]
