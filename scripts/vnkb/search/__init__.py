"""search: one query normalization (query.py) shared by the Whoosh index
(engine.py) and the browser index (pagefind.py)."""
from .engine import build_index, get_document, open_index, record_groups, records, search
from .query import QueryError, parse_query

__all__ = ["build_index", "get_document", "open_index", "record_groups", "records", "search", "QueryError", "parse_query"]
