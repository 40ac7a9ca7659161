"""The domain layers import without Textual (so the CLI, exports and scripts stay light)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = [
    "qualcode.store",
    "qualcode.store.models",
    "qualcode.store.engine",
    "qualcode.framework_files",
    "qualcode.errors",
    "qualcode.ingest",
    "qualcode.analysis",
    "qualcode.export",
    "qualcode.services.project",
    "qualcode.services.codebook",
    "qualcode.services.coding",
    "qualcode.services.documents",
    "qualcode.services.cases",
    "qualcode.services.memos",
    "qualcode.services.frameworks",
    "qualcode.services.history",
    "qualcode.services.search",
]

SCRIPT = r"""
import importlib, importlib.util, json, pkgutil, sys
wanted = json.loads(sys.argv[1])
loaded, missing = [], []
for name in list(wanted):
    if importlib.util.find_spec(name) is None:
        missing.append(name)
        continue
    module = importlib.import_module(name)
    loaded.append(name)
    # every submodule of the domain packages, too (services.*, ingest.*, ...)
    if hasattr(module, "__path__"):
        for info in pkgutil.walk_packages(module.__path__, name + "."):
            if ".migrations" in info.name:  # alembic scripts run only inside alembic
                continue
            importlib.import_module(info.name)
            loaded.append(info.name)
import qualcode.services as services
for info in pkgutil.iter_modules(services.__path__, "qualcode.services."):
    importlib.import_module(info.name)
    loaded.append(info.name)
print(json.dumps({"loaded": loaded, "missing": missing,
                  "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))}))
"""


def test_domain_packages_import_without_textual() -> None:
    import json

    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(DOMAIN_MODULES)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "qualcode.services.history" in result["loaded"]
    assert "qualcode.services.coding" in result["loaded"]
    assert result["textual"] == [], f"textual imported by the domain layers: {result['textual']}"
