"""Release artifacts: the integration's zip, the version, release notes, and checks.

Standard library only, so that any Python runs it (scripts/build, the release
workflow, the tests)::

    python -m devtools.release zip dist/grandstream.zip
    python -m devtools.release set-version 0.2.1      # manifest.json + cti/__init__.py
    python -m devtools.release version                # the version in the source
    python -m devtools.release notes 0.2.1            # its CHANGELOG.md section
    python -m devtools.release check dist             # wheel, sdist and zip contents

The zip holds the contents of custom_components/grandstream at its root (what
HACS unpacks into custom_components/grandstream), without caches. The wheel
holds custom_components/grandstream/cti as ``grandstream_cti``, byte for byte.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
import configparser
import json
from pathlib import Path
import re
import sys
import tarfile
import zipfile

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "grandstream"
CTI = INTEGRATION / "cti"
MANIFEST = INTEGRATION / "manifest.json"
VERSION_FILE = CTI / "__init__.py"
CHANGELOG = REPO / "CHANGELOG.md"
ZIP_NAME = "grandstream.zip"
DISTRIBUTION = "grandstream_cti"
IMPORT_NAME = "grandstream_cti"
# Every zip entry gets this date: the same source gives the same zip.
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)
_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?")
_VERSION_LINE = re.compile(r'^__version__ = "([^"]*)"$', re.MULTILINE)
_SKIPPED_PARTS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


class ArtifactError(Exception):
    """An artifact is not what it should be."""


def shipped_files(root: Path) -> Iterator[Path]:
    """Files under ``root`` that ship: no caches, sorted."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not _SKIPPED_PARTS.intersection(relative.parts)
            and path.suffix not in _SKIPPED_SUFFIXES
        ):
            yield path


def build_zip(target: Path, source: Path = INTEGRATION) -> Path:
    """Write the integration's zip (reproducible: sorted, fixed dates)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in shipped_files(source):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def source_version() -> str:
    """``__version__`` of the library (the one place it is written)."""
    match = _VERSION_LINE.search(VERSION_FILE.read_text("utf-8"))
    if match is None:
        raise ArtifactError(f"no __version__ line in {VERSION_FILE}")
    return match.group(1)


def set_version(version: str) -> None:
    """Write ``version`` into the library and manifest.json (a release does this)."""
    if not _VERSION.fullmatch(version):
        raise ArtifactError(
            f"not a release version: {version!r} (e.g. 0.2.1, 1.0.0rc1)"
        )
    text = VERSION_FILE.read_text("utf-8")
    VERSION_FILE.write_text(
        _VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1), "utf-8"
    )
    # A substitution, not a JSON round trip: the file keeps its layout.
    manifest = MANIFEST.read_text("utf-8")
    updated, count = re.subn(
        r'("version":\s*)"[^"]*"', rf'\g<1>"{version}"', manifest, count=1
    )
    if count != 1:
        raise ArtifactError(f"no version in {MANIFEST}")
    MANIFEST.write_text(updated, "utf-8")


def release_notes(version: str, changelog: Path = CHANGELOG) -> str:
    """The CHANGELOG.md section of ``version`` (Keep a Changelog), without its heading."""
    text = changelog.read_text("utf-8")
    heading = re.compile(rf"^## \[{re.escape(version)}\][^\n]*\n", re.MULTILINE)
    match = heading.search(text)
    if match is None:
        raise ArtifactError(f"CHANGELOG.md has no section '## [{version}]'")
    rest = text[match.end() :]
    end = re.search(r"^## \[|^\[[^\]]+\]: ", rest, re.MULTILINE)
    notes = (rest[: end.start()] if end else rest).strip()
    if not notes:
        raise ArtifactError(f"CHANGELOG.md's section for {version} is empty")
    return notes + "\n"


def _imports_outside(tree: ast.AST) -> set[str]:
    """Top-level packages a module imports absolutely (relative imports excluded)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def check_wheel(wheel: Path, version: str) -> list[str]:
    """What is wrong with the wheel (empty: nothing)."""
    problems: list[str] = []
    expected = {
        f"{IMPORT_NAME}/{p.relative_to(CTI).as_posix()}": p.read_bytes()
        for p in shipped_files(CTI)
    }
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = f"{DISTRIBUTION}-{version}.dist-info"
        package = {n for n in names if not n.startswith(f"{dist_info}/")}
        if package != set(expected):
            problems.append(
                "wheel files differ from the cti sources: missing "
                f"{sorted(set(expected) - package)}, extra {sorted(package - set(expected))}"
            )
        problems.extend(
            f"{name} is not byte-identical to its source"
            for name in sorted(package & set(expected))
            if archive.read(name) != expected[name]
        )
        for name in sorted(package):
            if name.endswith(".py"):
                outside = _imports_outside(ast.parse(archive.read(name)))
                if "homeassistant" in outside or "custom_components" in outside:
                    problems.append(f"{name} imports Home Assistant or the integration")
        if f"{IMPORT_NAME}/py.typed" not in names:
            problems.append("py.typed is missing")
        try:
            metadata = archive.read(f"{dist_info}/METADATA").decode()
            entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        except KeyError as err:
            problems.append(f"missing {err}")
            return problems
    requires = re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)", metadata, re.MULTILINE)
    if requires != ["aiohttp"]:
        problems.append(f"runtime dependencies are {requires}, not only aiohttp")
    if f"Version: {version}\n" not in metadata:
        problems.append(f"metadata does not say version {version}")
    parser = configparser.ConfigParser()
    parser.read_string(entry_points)
    scripts = dict(parser["console_scripts"]) if "console_scripts" in parser else {}
    if scripts != {"grandstream-cti": f"{IMPORT_NAME}.cli:main"}:
        problems.append(f"console scripts are {scripts}")
    return problems


def check_sdist(sdist: Path, version: str) -> list[str]:
    """What is wrong with the sdist (empty: nothing)."""
    prefix = f"{DISTRIBUTION}-{version}/"
    with tarfile.open(sdist) as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()}
    wanted = {
        f"{prefix}pyproject.toml",
        f"{prefix}PKG-INFO",
        f"{prefix}LICENSE",
        f"{prefix}CHANGELOG.md",
    } | {f"{prefix}{p.relative_to(REPO).as_posix()}" for p in shipped_files(CTI)}
    problems = [f"sdist lacks {name}" for name in sorted(wanted - names)]
    problems.extend(
        f"sdist has {name}, which does not belong in it"
        for name in sorted(names - wanted)
        if "__pycache__" in name or "/tests/" in name or "/simulator/" in name
    )
    return problems


def check_zip(archive_path: Path) -> list[str]:
    """What is wrong with the integration's zip (empty: nothing)."""
    expected = {
        p.relative_to(INTEGRATION).as_posix(): p.read_bytes()
        for p in shipped_files(INTEGRATION)
    }
    with zipfile.ZipFile(archive_path) as archive:
        names = set(archive.namelist())
        problems = []
        if names != set(expected):
            problems.append(
                f"zip differs from custom_components/grandstream: missing "
                f"{sorted(set(expected) - names)}, extra {sorted(names - set(expected))}"
            )
        problems.extend(
            f"{name} differs from its source"
            for name in sorted(names & set(expected))
            if archive.read(name) != expected[name]
        )
    if any("__pycache__" in name or name.endswith(".pyc") for name in names):
        problems.append("the zip holds caches")
    if "manifest.json" not in names:
        problems.append("manifest.json is not at the zip's root")
    return problems


def check_dist(dist: Path) -> list[str]:
    """Check the wheel, sdist and zip in ``dist`` against the source."""
    version = source_version()
    problems: list[str] = []
    manifest_version = json.loads(MANIFEST.read_text("utf-8"))["version"]
    if manifest_version != version:
        problems.append(f"manifest.json says {manifest_version}, the library {version}")
    for pattern, check in (
        (f"{DISTRIBUTION}-{version}-py3-none-any.whl", check_wheel),
        (f"{DISTRIBUTION}-{version}.tar.gz", check_sdist),
    ):
        found = sorted(dist.glob(pattern))
        if len(found) != 1:
            problems.append(f"expected one {pattern} in {dist}, found {len(found)}")
            continue
        problems.extend(check(found[0], version))
    zip_path = dist / ZIP_NAME
    if not zip_path.is_file():
        problems.append(f"{zip_path} is missing")
    else:
        problems.extend(check_zip(zip_path))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; see the module's docstring."""
    parser = argparse.ArgumentParser(prog="python -m devtools.release")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("zip").add_argument("target", type=Path)
    sub.add_parser("set-version").add_argument("version")
    sub.add_parser("version")
    sub.add_parser("notes").add_argument("version")
    sub.add_parser("check").add_argument("dist", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "zip":
            sys.stdout.write(f"{build_zip(args.target)}\n")
        elif args.command == "set-version":
            set_version(args.version)
        elif args.command == "version":
            sys.stdout.write(source_version() + "\n")
        elif args.command == "notes":
            sys.stdout.write(release_notes(args.version))
        else:
            problems = check_dist(args.dist)
            for problem in problems:
                sys.stderr.write(f"artifact check: {problem}\n")
            if problems:
                return 1
            sys.stdout.write(f"artifacts in {args.dist} match the source\n")
    except ArtifactError as err:
        sys.stderr.write(f"error: {err}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
