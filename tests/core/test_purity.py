"""The core is pure: importing any of it loads neither Flask nor the database layer."""
from __future__ import annotations

import pkgutil
import subprocess
import sys

import examengine.core


def test_core_imports_neither_flask_nor_sqlalchemy():
    modules = [name for _, name, _ in pkgutil.walk_packages(examengine.core.__path__, "examengine.core.")]
    assert modules, "no core modules found"
    script = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug', 'wtforms'})\n"
        "print(','.join(bad))\n"
    )
    # examengine/__init__.py imports only config at module level, so this checks the core itself.
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
