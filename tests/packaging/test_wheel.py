"""The wheel and sdist scripts/build made (GRANDSTREAM_DIST), against the source."""

from __future__ import annotations

from pathlib import Path
import tarfile
import zipfile

from custom_components.grandstream.cti import __version__
from devtools import release


def test_every_artifact_matches_the_source(dist: Path) -> None:
    """Wheel, sdist and zip: the checks scripts/build runs, as a test."""
    assert release.check_dist(dist) == []


def test_wheel_contents(dist: Path) -> None:
    """grandstream_cti is the cti folder, typed, with the console script."""
    wheel = dist / f"grandstream_cti-{__version__}-py3-none-any.whl"
    assert release.check_wheel(wheel, __version__) == []
    with zipfile.ZipFile(wheel) as content:
        names = set(content.namelist())
        dist_info = f"grandstream_cti-{__version__}.dist-info"
        metadata = content.read(f"{dist_info}/METADATA").decode()
        entry_points = content.read(f"{dist_info}/entry_points.txt").decode()
    assert {
        "grandstream_cti/__init__.py",
        "grandstream_cti/__main__.py",
        "grandstream_cti/py.typed",
        "grandstream_cti/cli/__init__.py",
        "grandstream_cti/client.py",
        "grandstream_cti/web.py",
    } <= names
    assert not any(n.startswith("custom_components/") for n in names)
    assert "grandstream-cti = grandstream_cti.cli:main" in entry_points
    assert "Requires-Python: >=3.11" in metadata
    # The library's README is the long description.
    assert "The lockout rule." in metadata


def test_sdist_builds_the_same_wheel(dist: Path) -> None:
    """The sdist carries the source the wheel was built from."""
    sdist = dist / f"grandstream_cti-{__version__}.tar.gz"
    assert release.check_sdist(sdist, __version__) == []
    prefix = f"grandstream_cti-{__version__}/"
    cti = Path(__file__).parent.parent.parent / "custom_components/grandstream/cti"
    with tarfile.open(sdist) as content:
        member = content.extractfile(
            f"{prefix}custom_components/grandstream/cti/client.py"
        )
        assert member is not None
        assert member.read() == (cti / "client.py").read_bytes()
