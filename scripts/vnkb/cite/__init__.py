"""cite: references to other documents (clean -> find -> resolve -> annotate).

find.py finds citations in a line; resolve.py gives each one its identity within
its document; registry.py links them across the archive; checks.py reports what
a person should verify. Patterns live in data/citations.yaml and
data/known_documents.yaml.
"""
from .checks import Finding, archive_findings, document_findings
from .registry import Entry, cited_by, link_archive
from .resolve import cite_document

__all__ = ["cite_document", "link_archive", "cited_by", "Entry", "Finding", "document_findings",
           "archive_findings"]
