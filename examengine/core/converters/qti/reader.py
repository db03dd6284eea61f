"""`read_qti`: the package as a whole: the zip guard (size, member count), safe XML parsing (no entities,
a depth limit, namespaces dropped), the manifest and its item resources, the test's title, the kept
Markdown next to each of our items and the images an item shows. Each item is read by item_reader."""
from __future__ import annotations

import io
import json
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from urllib.parse import unquote

import defusedxml
import defusedxml.ElementTree as SafeET

from examengine.core.converters.drafts import Conversion, never_raises
from examengine.core.converters.markdown import one_line
from examengine.core.converters.qti.common import MANIFEST, SOURCE_SUFFIX, _first, _local, _texts
from examengine.core.converters.qti.item_reader import _ItemReader
from examengine.core.messages import N_

MAX_ZIP_MEMBERS = 10_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_XML_DEPTH = 200


@never_raises
def read_qti(conversion: Conversion, data: bytes) -> None:
    """An IMS QTI 2.1 package (zip) -> drafts. Never raises: every problem is reported."""
    _PackageReader(conversion, data).read()


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError,
               EOFError, OSError, ValueError, OverflowError)
_XML_ERRORS = (ET.ParseError, defusedxml.DefusedXmlException, ValueError, LookupError, UnicodeError)


def _strip_namespaces(root) -> None:
    """Local names only: QTI 2.0, 2.1 and 2.2 (and tools that forget a namespace) read alike."""
    for element in root.iter():
        element.tag = _local(element.tag) if isinstance(element.tag, str) else element.tag
        if any(name.startswith("{") for name in element.attrib):
            element.attrib = {_local(name): value for name, value in element.attrib.items()}


def _depth_ok(root) -> bool:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in element)
    return True


class _PackageReader:
    def __init__(self, conversion: Conversion, data: bytes) -> None:
        self.conversion, self.data = conversion, data
        self.archive: zipfile.ZipFile | None = None
        self.names: dict[str, zipfile.ZipInfo] = {}
        self.base = ""  # the folder of imsmanifest.xml inside the zip
        self.keys: set[str] = set()

    def read(self) -> None:
        if not self._open():
            return
        manifest_name = self._manifest_name()
        if manifest_name is None:
            self.conversion.problem("", N_("no imsmanifest.xml in the zip: this is not an IMS content package; "
                                           "export the questions as a QTI 2.1 package"))
            return
        self.base = posixpath.dirname(manifest_name)
        manifest = self._xml(manifest_name, MANIFEST)
        if manifest is None:
            return
        if manifest.tag != "manifest":
            self.conversion.problem(MANIFEST, N_("imsmanifest.xml is not an IMS manifest: its root element is "
                                                 "<%(tag)s>, not <manifest>", tag=manifest.tag))
            return
        self._read_manifest(manifest)

    def _open(self) -> bool:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
            infos = self.archive.infolist()
        except _ZIP_ERRORS:
            self.conversion.problem("", N_("this file is not a zip archive (or it is damaged): a QTI package is "
                                           "a .zip with imsmanifest.xml; export it again"))
            return False
        if len(infos) > MAX_ZIP_MEMBERS:
            self.conversion.problem("", N_("the zip holds %(count)s files, more than the %(limit)s a question "
                                           "package may have", count=f"{len(infos):,}", limit=f"{MAX_ZIP_MEMBERS:,}"))
            return False
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED:
            self.conversion.problem("", N_("the zip unpacks to %(size)s bytes, over the limit of %(limit)s MB",
                                           size=f"{total:,}", limit=MAX_UNCOMPRESSED // (1024 * 1024)))
            return False
        for info in infos:
            self.names.setdefault(info.filename.replace("\\", "/").lstrip("/"), info)
        return True

    def _manifest_name(self) -> str | None:
        candidates = [name for name in self.names if posixpath.basename(name).lower() == MANIFEST]
        return min(candidates, key=lambda name: (name.count("/"), name)) if candidates else None

    def _bytes(self, name: str, location: str) -> bytes | None:
        info, limit = self.names[name], MAX_XML_BYTES
        if info.file_size > limit:
            self.conversion.problem(location, N_("%(file)s is %(size)s bytes, over the limit of %(limit)s MB",
                                                 file=name, size=f"{info.file_size:,}", limit=limit // (1024 * 1024)))
            return None
        try:
            with self.archive.open(info) as member:
                data = member.read(limit + 1)
        except _ZIP_ERRORS:
            self.conversion.problem(location, N_("%(file)s can't be unpacked (damaged or encrypted); export the "
                                                 "package again", file=name))
            return None
        if len(data) > limit:
            self.conversion.problem(location, N_("%(file)s is over the limit of %(limit)s MB", file=name,
                                                 limit=limit // (1024 * 1024)))
            return None
        return data

    def _xml(self, name: str, location: str, *, report: bool = True):
        data = self._bytes(name, location) if report else self._quiet_bytes(name)
        if data is None:
            return None
        if not report:
            try:
                root = SafeET.fromstring(data)
            except _XML_ERRORS:
                return None
            if not _depth_ok(root):
                return None
            _strip_namespaces(root)
            return root
        try:
            root = SafeET.fromstring(data)
        except defusedxml.DefusedXmlException:
            self.conversion.problem(location, N_("%(file)s declares entities or external references, which are "
                                                 "not read for safety; export it without a DTD", file=name))
            return None
        except ET.ParseError as exc:
            line, column = exc.position
            self.conversion.problem(location, N_("%(file)s is not well-formed XML (line %(line)s, column "
                                                 "%(column)s); export the package again",
                                                 file=name, line=line, column=column))
            return None
        except _XML_ERRORS:
            self.conversion.problem(location, N_("%(file)s is not readable XML (unknown encoding or bad bytes); "
                                                 "save it as UTF-8", file=name))
            return None
        if not _depth_ok(root):
            self.conversion.problem(location, N_("%(file)s nests elements more than %(limit)s levels deep",
                                                 file=name, limit=MAX_XML_DEPTH))
            return None
        _strip_namespaces(root)
        return root

    def _quiet_bytes(self, name: str) -> bytes | None:
        info = self.names[name]
        if info.file_size > MAX_XML_BYTES:
            return None
        try:
            with self.archive.open(info) as member:
                data = member.read(MAX_XML_BYTES + 1)
        except _ZIP_ERRORS:
            return None
        return data if len(data) <= MAX_XML_BYTES else None

    def _resolve(self, base: str, href: str) -> str | None:
        """A manifest href as a name in the zip, or None."""
        for candidate in (href, unquote(href)):
            name = posixpath.normpath(posixpath.join(self.base, base, candidate.replace("\\", "/"))).lstrip("/")
            if name in self.names:
                return name
        return None

    def _read_manifest(self, manifest) -> None:
        resources = manifest.find("resources")
        entries = list(resources.iter("resource")) if resources is not None else []
        items = [entry for entry in entries if (entry.get("type") or "").lower().startswith("imsqti_item_xmlv2")]
        self._title(manifest, entries)
        base = (resources.get("base") or "") if resources is not None else ""
        later = [entry for entry in entries if (entry.get("type") or "").lower().startswith(
            ("imsqti_item_xmlv3", "imsqti_xmlv1", "imsqti_assessment_xmlv1"))]
        for entry in later:
            self.conversion.problem(entry.get("href") or MANIFEST, N_(
                "not converted: resource type %(type)s (QTI 1.2 or 3.0) is not read here; export the package "
                "as QTI 2.1", type=entry.get("type")), "skipped")
        if not items and not later:
            self.conversion.problem(MANIFEST, N_("the manifest lists no QTI 2.1 items (resources of type "
                                                 "imsqti_item_xmlv2p1); export the questions as QTI 2.1"))
        seen: set[str] = set()
        for entry in items:
            self._read_resource(entry, base, seen)

    def _title(self, manifest, entries) -> None:
        for entry in entries:
            if (entry.get("type") or "").lower().startswith("imsqti_test_xmlv2"):
                name = self._resolve("", entry.get("href") or "")
                test = self._xml(name, name, report=False) if name else None  # only its title is used
                if test is not None and (test.get("title") or "").strip():
                    self.conversion.title = one_line(test.get("title"))
                    return
        lom_title = _first(_first(manifest.find("metadata"), "general"), "title")
        if lom_title is not None and _texts(lom_title):
            self.conversion.title = _texts(lom_title)[0]

    def _read_resource(self, entry, base: str, seen: set[str]) -> None:
        href = entry.get("href") or next((file.get("href") for file in entry.iter("file") if file.get("href")), "")
        resource_base = posixpath.join(base, entry.get("base") or "")
        location = href or MANIFEST
        name = self._resolve(resource_base, href) if href else None
        if name is None:
            self.conversion.problem(location, N_("the manifest lists the item file %(file)r but the zip has no such "
                                                 "file; export the package again", file=href))
            return
        if name in seen:
            return
        seen.add(name)
        root = self._xml(name, location)
        if root is None:
            return
        if root.tag != "assessmentItem":
            self.conversion.problem(location, N_("%(file)s is not a QTI item: its root element is <%(tag)s>, not "
                                                 "<assessmentItem>", file=name, tag=root.tag))
            return
        draft = _ItemReader(self, root, name, location, entry.find("metadata")).read()
        if draft is not None:
            self.conversion.drafts.append(draft)

    def source(self, item_name: str, location: str) -> dict:
        """Our Markdown parts for the item, from its `.markdown.json` (or {} for another tool's item)."""
        name = item_name[:-4] + SOURCE_SUFFIX if item_name.lower().endswith(".xml") else None
        if name is None or name not in self.names:
            return {}
        data = self._bytes(name, location)
        try:
            parts = json.loads(data.decode("utf-8", "surrogatepass"))["parts"] if data is not None else None
        except (ValueError, UnicodeError, KeyError, TypeError):
            parts = None
        if not isinstance(parts, dict):
            self.conversion.problem(location, N_("%(file)s (the Markdown kept with the item) is damaged; the text "
                                                 "was converted from the item's HTML instead", file=name), "warning")
            return {}
        return {name: part for name, part in parts.items() if isinstance(part, dict)
                and isinstance(part.get("markdown"), str) and isinstance(part.get("xhtml"), str)}

    def image(self, item_name: str, src: str) -> str | None:
        """An image of the package that an item shows: brought along, under its path in the zip."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or not src:
            return None
        for candidate in (src, unquote(src)):
            name = posixpath.normpath(posixpath.join(posixpath.dirname(item_name), candidate)).lstrip("/")
            if name in self.names and not name.startswith(".."):
                if name not in self.conversion.files:
                    data = self._bytes(name, item_name)
                    if data is None:
                        return None
                    self.conversion.files[name] = data
                return name
        return None
