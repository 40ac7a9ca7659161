"""Exchanging projects with other qualitative analysis tools (REFI-QDA / QDA-XML 1.0).

``.qdpx`` is a zip holding ``project.qde`` (XML) and a ``sources/`` folder with the
documents as UTF-8 text; ``.qdc`` is a codebook on its own. NVivo, ATLAS.ti,
MAXQDA and QualCoder read and write both.

- ``refi_export``: ``export_qdpx`` / ``export_qdc`` (schema-valid, stable GUIDs).
- ``refi_import``: ``import_qdpx`` / ``import_qdc`` (one user operation, a report of
  what was imported, how positions were counted and what was left out).
- ``refi_sources``: finding a source's text wherever producers put it (internal,
  bare names, ``relative://``, ``absolute://``; rich text and PDF extraction).
- ``refi_commit``: storing in one transaction, or in consistent chunks for a big file.
- ``refi_xml``: safe reading of untrusted archives and XML (no entity expansion,
  no path escapes, size and entry limits).
- ``refi_positions``: the producers' different ways of counting text positions.
- ``refi_guids``: GUID normalisation and stable GUIDs for export.
- ``refi_extensions``: the ``[qualcode]`` lines that carry what the standard
  cannot hold (valence, inclusion/exclusion notes, groups, chart summaries).
- ``refi_read`` / ``refi_store`` / ``refi_write``: XML to plain records, records
  to the database, database to XML.
"""
