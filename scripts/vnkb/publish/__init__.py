"""publish: what the site offers beyond the pages (all pure functions,
called by render.py before MkDocs or by site.py after it):

  template.py   report templates: outline, a fillable .docx, comparison
  calendar.py   deadlines and events as iCalendar and the "Lịch báo cáo" page
  graph.py      relationships: Mermaid diagram and related documents
  catalog.py    /api/ files (catalog, citations, CSV) and the number resolver's index
  aliases.py    permanent URLs: every URL ever published keeps working (redirects)
  feed.py       Atom feed and sitemap check, after MkDocs (needs site_url)
  citeform.py   the Decree 30 citation form of a document
"""
