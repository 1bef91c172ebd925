import ast
from pathlib import Path

import workspace.core

FORBIDDEN = {"reflex", "fastapi", "mcp", "starlette"}


def test_core_never_imports_ui_api_or_mcp_frameworks():
    core = Path(workspace.core.__file__).parent
    offenders = []
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in FORBIDDEN or name.startswith(
                    ("workspace.api", "workspace.ui", "workspace.mcp")
                ):
                    offenders.append(f"{path.relative_to(core)}: {name}")
    assert offenders == []
    assert len(list(core.rglob("*.py"))) > 10
