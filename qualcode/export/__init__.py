"""Exports: framework charts and pattern tables to Word, Excel, CSV and HTML (no Textual)."""
