"""The captures the suite replays: tests/fixtures/captures, or another folder.

``GRANDSTREAM_CAPTURES`` points the suite at another folder of captures
(scripts/add-capture's test runs the suite on the folder it wrote).
"""

from __future__ import annotations

import os
from pathlib import Path

CAPTURES = Path(
    os.environ.get("GRANDSTREAM_CAPTURES")
    or Path(__file__).parents[1] / "fixtures" / "captures"
)


def capture_folders() -> list[Path]:
    """Every capture folder, by name."""
    return sorted(path for path in CAPTURES.iterdir() if path.is_dir())
