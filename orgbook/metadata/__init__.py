"""Salesforce metadata: safe reading, the type registry, format readers, attributes, dependencies.

Pure Python (lxml + stdlib); no Django and no other orgbook package (import-linter checks it).

Public API:
    iter_components(source, ...) -> ComponentStream (ParsedComponent; SkippedFile for known files,
        KnownChildren for unchanged children of a re-read file)
    iter_dependencies(component, schema=None) -> Iterator[Dependency]
    detect_format(source) -> DetectedFormat
    REGISTRY, MetadataType, ChildType
    parse_xml(data, name) / UnsafeXmlError / MalformedXmlError
    open_source(path) / UnsafeArchiveError (the whole upload) / UnreadableFileError (one file)
"""

from orgbook.metadata.archive import (
    ArchiveLimits,
    Source,
    UnreadableFileError,
    UnsafeArchiveError,
    open_source,
)
from orgbook.metadata.components import KnownChildren, ParsedComponent, ReadProblem, ReadReport, SkippedFile
from orgbook.metadata.dependencies import Dependency, SchemaIndex, iter_dependencies
from orgbook.metadata.formats import DetectedFormat, SourceFormat, detect_format
from orgbook.metadata.reader import ComponentStream, iter_components
from orgbook.metadata.registry import REGISTRY, ChildType, MetadataType
from orgbook.metadata.xmlsafe import MalformedXmlError, UnsafeXmlError, XmlError, parse_xml

__all__ = [
    "REGISTRY",
    "ArchiveLimits",
    "ChildType",
    "ComponentStream",
    "Dependency",
    "DetectedFormat",
    "KnownChildren",
    "MalformedXmlError",
    "MetadataType",
    "ParsedComponent",
    "ReadProblem",
    "ReadReport",
    "SchemaIndex",
    "SkippedFile",
    "Source",
    "SourceFormat",
    "UnreadableFileError",
    "UnsafeArchiveError",
    "UnsafeXmlError",
    "XmlError",
    "detect_format",
    "iter_components",
    "iter_dependencies",
    "open_source",
    "parse_xml",
]
