"""Where policy packages are: the built-in one (the shipped documents), folders named with ``--policies``, and
installed Python packages advertising the ``ipsubsidy.policies`` entry point."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ipsubsidy.errors import PolicyError

__all__ = ["ENTRY_POINTS", "default_policy_dir", "default_policy_folders", "installed_packages", "package_dir"]


def default_policy_dir() -> Path:
    """The shipped policies: inside the installed package, or the checkout's ``policies/``."""
    override = os.environ.get("IPSUBSIDY_POLICY_DIR")
    if override:
        return Path(override)
    packaged = Path(str(resources.files("ipsubsidy"))) / "_data" / "policies"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "policies"


ENTRY_POINTS = "ipsubsidy.policies"


def _folder_of_module(module: str) -> Path | None:
    """The folder of an importable package, found without running its code (policy packages are data)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


def _policy_folder(folder: Path) -> Path:
    return folder / "policies" if (folder / "policies").is_dir() else folder


def installed_packages() -> list[tuple[str, Path]]:
    """Every installed Python package advertising the ``ipsubsidy.policies`` entry point, by entry point name:
    (name, its policy folder). The entry point's value is a module (``pkg`` or ``pkg.sub``) whose folder holds
    ``policies/`` (or is the folder of policy files itself); the module is located, never imported."""
    from importlib.metadata import entry_points

    found: dict[str, Path] = {}
    for point in entry_points(group=ENTRY_POINTS):
        folder = _folder_of_module(point.module)
        if folder is None or not folder.is_dir():
            raise PolicyError(f"the installed policy package {point.name!r} names module {point.module!r}, "
                              "which is not importable here; reinstall it or fix its entry point",
                              file=f"entry point {point.name}")
        found.setdefault(point.name, _policy_folder(folder))
    return sorted(found.items())


def package_dir(ref: Path | str) -> Path:
    """The policy folder of a package: a folder holding ``policies/`` (and ``tests/``), a folder of policy
    files itself, or the entry point name of an installed package (see ``installed_packages``)."""
    path = Path(ref)
    if path.is_dir():
        return _policy_folder(path)
    if path.exists():
        return path
    installed = dict(installed_packages())
    if str(ref) in installed:
        return installed[str(ref)]
    raise PolicyError("no such policy package: not a folder, nor an installed package"
                      + (f" (installed: {', '.join(installed)})" if installed else ""), file=str(ref))


def default_policy_folders() -> list[Path]:
    """The folders of the default policy set: the built-in package (the shipped documents), then every
    installed policy package, by entry point name. Installed packages need no ``--policies``."""
    return [default_policy_dir(), *(folder for _, folder in installed_packages())]
