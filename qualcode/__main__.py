"""``python -m qualcode`` runs the command line."""

from __future__ import annotations

from qualcode.cli.main import main

main()
