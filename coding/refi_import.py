"""Import a REFI-QDA codebook (.qdc) into a study's codebook.

Codebooks from NVivo, ATLAS.ti, MAXQDA, QualCoder or another NVOS study come in as
QDA-XML 1.0 `CodeBook` files. The file is checked before anything is stored: at most
5 MB, well-formed XML without any DOCTYPE (so no DTD and no entities, internal or
external, are ever loaded or expanded) and valid against Codebook.xsd. Then the whole
import is one transaction: either every code is in place or nothing changed.

Where the codes go. NVOS codebooks always have the five areas at the top, so each
top-level code of the file is placed in this order of precedence:

1. `area_for_top_level` is a mapping with the code's name as key (case-insensitive): the
   code goes under that area, with its sub-codes nested under it;
2. the code's name is an area's name (Swedish or English, or its key; case-insensitive),
   as in a file written by `coding.exports.refi.write_qdc`: the code stands for that area,
   so its children become codes directly under the area;
3. `area_for_top_level` is one Area: the code goes under it, sub-codes nested under it.

A top-level code that none of these places stops the import with a message naming it.
Nested codes keep their parent. A code whose name (ignoring case) already exists under
the same area is reused, not duplicated and not changed; its sub-codes from the file are
nested under it. A code's <Description> becomes its definition; a description written by
NVOS ("Inkludera när: …", "Exkludera när: …") is split back into definition, inclusion
and exclusion. `isCodable` is ignored: every imported code can be used for coding. A
colour equal to its area's colour is stored as "use the area's colour".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from lxml import etree

from coding.exports.refi import CODEBOOK_NS, EXCLUDE_LABEL, INCLUDE_LABEL, PROJECT_NS
from coding.models import Area, Code
from transcripts.models import Study

MAX_BYTES = 5 * 1024 * 1024
MAX_CODES = 5000
NAME_MAX_LENGTH = Code._meta.get_field("name").max_length

TOO_LARGE = "Filen är för stor. En kodbok (.qdc) får vara högst 5 MB."
EMPTY = "Filen är tom."
ZIP_FILE = (
    "Filen är en zip-fil, till exempel ett helt REFI-QDA-projekt (.qdpx). "
    "Välj en kodbok i formatet REFI-QDA Codebook (.qdc)."
)
NOT_XML = "Filen är ingen XML-fil och kan inte läsas som en REFI-QDA-kodbok (.qdc)."
DOCTYPE = (
    "Filen innehåller en DOCTYPE-deklaration (DTD eller entiteter). Sådana filer tas av säkerhetsskäl "
    "inte emot; en REFI-QDA-kodbok behöver ingen DOCTYPE."
)
PROJECT_FILE = (
    "Filen är ett REFI-QDA-projekt (.qde), inte en kodbok. Exportera kodboken som "
    "REFI-QDA Codebook (.qdc) och importera den filen."
)
SCHEMA_INVALID = (
    "Filen följer inte formatet för REFI-QDA-kodböcker (Codebook.xsd) och kan inte importeras. "
    "Första felet finns på rad {line}."
)
NO_AREA = "Välj vilket område dessa toppkoder ska placeras under: {names}."
EMPTY_NAME = "En kod i filen saknar namn."
LONG_NAME = "Kodnamnet ”{name}…” är för långt (högst {limit} tecken)."
TOO_MANY = "Kodboken har för många koder (högst {limit})."
CONFLICT = "Kodboken ändrades samtidigt av någon annan. Försök igen."


class QdcImportError(ValueError):
    """A codebook file that cannot be imported. `str(error)` is a Swedish message for the user."""


@dataclass
class ImportResult:
    """What an import did, for the confirmation message."""

    created: int = 0
    reused: int = 0
    reused_names: list[str] = field(default_factory=list)


def import_qdc(
    study: Study,
    fileobj: IO[bytes] | bytes,
    *,
    area_for_top_level: Mapping[str, Area] | Area | None,
    user: AbstractBaseUser | None,
) -> ImportResult:
    """Import a REFI-QDA codebook (.qdc) into `study`'s codebook, all or nothing.

    `fileobj` is an uploaded file (or any binary file object, or bytes). `area_for_top_level`
    says where top-level codes go: one Area for all, a mapping from top-level code name to
    Area, or None to rely on top-level codes named like an area (see the module docstring).
    `user` becomes the new codes' creator. Raises QdcImportError with a Swedish message when
    the file is too large, not XML, has a DOCTYPE, is not a valid codebook, or a top-level
    code has no area; the codebook is then unchanged.
    """
    root = parse_qdc(fileobj)
    placements = _place_top_level(root, area_for_top_level)
    _check_codes(root)
    result = ImportResult()
    try:
        with transaction.atomic():
            _Importer(study, user, result).run(placements)
    except IntegrityError as error:
        raise QdcImportError(CONFLICT) from error
    return result


def parse_qdc(fileobj: IO[bytes] | bytes) -> etree._Element:
    """The checked root <CodeBook> element of a .qdc file; QdcImportError when unusable."""
    data = _read_limited(fileobj)
    if not data.strip():
        raise QdcImportError(EMPTY)
    if data[:4] == b"PK\x03\x04":
        raise QdcImportError(ZIP_FILE)
    if _DOCTYPE_IN_PROLOG.match(_prolog(data)):
        raise QdcImportError(DOCTYPE)  # before libxml2 reads any declaration
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        if b"<!DOCTYPE" in data:
            raise QdcImportError(DOCTYPE) from error
        raise QdcImportError(NOT_XML) from error
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise QdcImportError(DOCTYPE)
    if root.tag == f"{{{PROJECT_NS}}}Project":
        raise QdcImportError(PROJECT_FILE)
    schema = _codebook_schema()
    if not schema.validate(tree):
        error = schema.error_log.last_error
        raise QdcImportError(SCHEMA_INVALID.format(line=error.line if error else 1))
    return root


def split_description(text: str) -> tuple[str, str, str]:
    """(definition, inclusion, exclusion) from a code description; the inverse of
    coding.exports.refi.code_description for descriptions it wrote."""
    text = (text or "").strip()
    parts = {}
    for key, label in (("exclusion", EXCLUDE_LABEL), ("inclusion", INCLUDE_LABEL)):
        if text.startswith(label):
            text, parts[key] = "", text[len(label):]
            continue
        index = text.rfind(f"\n\n{label}")
        if index >= 0:
            text, parts[key] = text[:index], text[index + 2 + len(label):]
    return text.strip(), parts.get("inclusion", "").strip(), parts.get("exclusion", "").strip()


# --- checks ---------------------------------------------------------------------------------


def _read_limited(fileobj: IO[bytes] | bytes) -> bytes:
    if isinstance(fileobj, bytes | bytearray):
        data = bytes(fileobj)
    else:
        size = getattr(fileobj, "size", None)
        if size is not None and size > MAX_BYTES:
            raise QdcImportError(TOO_LARGE)
        data = fileobj.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise QdcImportError(TOO_LARGE)
    return data


# The prolog up to a DOCTYPE: XML declaration, then comments, processing instructions, space.
_DOCTYPE_IN_PROLOG = re.compile(r"\A\ufeff?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<!DOCTYPE", re.DOTALL)


def _prolog(data: bytes) -> str:
    """The first 64 KiB as text, for the DOCTYPE check (UTF-16 when it has a byte order mark)."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("latin-1")


def _tag(name: str) -> str:
    return f"{{{CODEBOOK_NS}}}{name}"


def _child_codes(element: etree._Element) -> list[etree._Element]:
    return element.findall(_tag("Code"))


def _name(element: etree._Element) -> str:
    return (element.get("name") or "").strip()


def _check_codes(root: etree._Element) -> None:
    codes = list(root.iter(_tag("Code")))
    if len(codes) > MAX_CODES:
        raise QdcImportError(TOO_MANY.format(limit=f"{MAX_CODES:,}".replace(",", "\u00a0")))
    for element in codes:
        name = _name(element)
        if not name:
            raise QdcImportError(EMPTY_NAME)
        if len(name) > NAME_MAX_LENGTH:
            raise QdcImportError(LONG_NAME.format(name=name[:40], limit=NAME_MAX_LENGTH))


def _place_top_level(
    root: etree._Element, area_for_top_level: Mapping[str, Area] | Area | None
) -> list[tuple[etree._Element, Area, bool]]:
    """(top-level element, area, whether the element itself becomes a code) per top-level code."""
    areas_by_name: dict[str, Area] = {}
    for area in Area.objects.all():
        for name in (area.name_sv, area.name_en, area.slug):
            areas_by_name.setdefault(name.strip().casefold(), area)
    mapping: dict[str, Area] = {}
    if isinstance(area_for_top_level, Mapping):
        mapping = {name.strip().casefold(): area for name, area in area_for_top_level.items()}
    default = area_for_top_level if isinstance(area_for_top_level, Area) else None

    placements, missing = [], []
    for element in _child_codes(root.find(_tag("Codes"))):
        key = _name(element).casefold()
        if key in mapping:
            placements.append((element, mapping[key], True))
        elif key in areas_by_name:
            placements.append((element, areas_by_name[key], False))
        elif default is not None:
            placements.append((element, default, True))
        else:
            missing.append(f"”{_name(element)}”")
    if missing:
        raise QdcImportError(NO_AREA.format(names=", ".join(missing)))
    return placements


@functools.cache
def _codebook_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(CODEBOOK_XSD.encode("utf-8")))


# --- the import ------------------------------------------------------------------------------


class _Importer:
    def __init__(self, study: Study, user: AbstractBaseUser | None, result: ImportResult) -> None:
        self.study, self.user, self.result = study, user, result
        self.exact: dict[tuple[int, str], Code] = {}
        self.folded: dict[tuple[int, str], Code] = {}
        for code in Code.objects.filter(study=study).order_by("pk"):
            self._remember(code)

    def _remember(self, code: Code) -> None:
        self.exact.setdefault((code.area_id, code.name), code)
        self.folded.setdefault((code.area_id, code.name.casefold()), code)

    def run(self, placements: list[tuple[etree._Element, Area, bool]]) -> None:
        # Depth-first in document order, without recursion (a file may nest deeply).
        stack: list[tuple[etree._Element, Area, Code | None]] = []
        for element, area, as_code in reversed(placements):
            if as_code:
                stack.append((element, area, None))
            else:
                stack.extend((child, area, None) for child in reversed(_child_codes(element)))
        while stack:
            element, area, parent = stack.pop()
            code = self._code(element, area, parent)
            stack.extend((child, area, code) for child in reversed(_child_codes(element)))

    def _code(self, element: etree._Element, area: Area, parent: Code | None) -> Code:
        name = _name(element)
        existing = self.exact.get((area.pk, name)) or self.folded.get((area.pk, name.casefold()))
        if existing is not None:
            self.result.reused += 1
            if existing.name not in self.result.reused_names:
                self.result.reused_names.append(existing.name)
            return existing
        description = element.find(_tag("Description"))
        definition, inclusion, exclusion = split_description(description.text if description is not None else "")
        code = Code.objects.create(
            study=self.study, area=area, parent=parent, name=name, definition=definition,
            inclusion=inclusion, exclusion=exclusion, colour=_colour(element.get("color"), area),
            created_by=self.user,
        )
        self._remember(code)
        self.result.created += 1
        return code


def _colour(value: str | None, area: Area) -> str:
    """#rrggbb, or "" when the colour is missing or is the area's own."""
    value = (value or "").strip().lower()
    if len(value) == 4:  # #rgb
        value = "#" + "".join(digit * 2 for digit in value[1:])
    if len(value) != 7 or value == area.colour.lower():
        return ""
    return value


# The REFI-QDA Codebook schema, QDA-XML 1.0 (Codebook.xsd, release date 5 October 2017), from
# http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd (provenance: SOURCES.md beside
# the vendored copy in tests/coding/data/refi/). Its declarations are copied unchanged; only the header
# comment is left out and tabs became spaces (a test compares it with the vendored file).
# Licence of the schema text, from its header:
#   This specification is licensed under the MIT license.
#   Copyright 2019 REFI www.qdasoftware.org.
#   Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
#   associated documentation files (the "Software"), to deal in the Software without restriction, including
#   without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
#   copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
#   following conditions:
#   The above copyright notice and this permission notice shall be included in all copies or substantial
#   portions of the Software.
#   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
#   LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
#   EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
#   IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
#   THE USE OR OTHER DEALINGS IN THE SOFTWARE.
CODEBOOK_XSD = r"""<xsd:schema xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:QDA-XML:codebook:1.0" elementFormDefault="qualified" attributeFormDefault="unqualified" version="1.0">
  <!-- ===== Element Declarations ===== -->
  <xsd:element name="CodeBook" type="CodeBookType">
    <xsd:annotation>
      <xsd:documentation>This element MUST be conveyed as the root element in any instance document based on this Schema expression</xsd:documentation>
    </xsd:annotation>
  </xsd:element>
  <!-- ===== Type Definitions ===== -->
  <xsd:complexType name="CodeBookType">
    <xsd:sequence>
      <xsd:element name="Codes" type="CodesType"/>
      <xsd:element name="Sets" type="SetsType" minOccurs="0"/>
    </xsd:sequence>
    <xsd:attribute name="origin" type="xsd:string"/>
  </xsd:complexType>
  <xsd:complexType name="CodesType">
    <xsd:sequence>
      <xsd:element name="Code" type="CodeType" maxOccurs="unbounded"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="SetsType">
    <xsd:sequence>
      <xsd:element name="Set" type="SetType" maxOccurs="unbounded"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="CodeType">
    <xsd:sequence>
      <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
      <xsd:element name="Code" type="CodeType" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
    <xsd:attribute name="isCodable" type="xsd:boolean" use="required"/>
    <xsd:attribute name="color" type="RGBType"/>
  </xsd:complexType>
  <xsd:complexType name="SetType">
    <xsd:sequence>
      <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
      <xsd:element name="MemberCode" type="MemberCodeType" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
  </xsd:complexType>
  <xsd:complexType name="MemberCodeType">
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
  </xsd:complexType>
  <xsd:simpleType name="GUIDType">
    <xsd:restriction base="xsd:token">
      <xsd:pattern value="([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="RGBType">
    <xsd:restriction base="xsd:token">
      <xsd:pattern value="#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})"/>
    </xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""  # noqa: E501
