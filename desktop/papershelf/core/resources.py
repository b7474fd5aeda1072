"""Where the bundled catalogue and resources are, installed from a wheel or run from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _locate(name: str) -> Path:
    installed = _PACKAGE / name  # the wheel puts data/ and resources/ inside the package
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent.parent / name  # desktop/papershelf -> repository root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"Papershelf's bundled {name}/ folder is missing (looked in {installed} and {checkout})")


def data_dir() -> Path:
    return _locate("data")


def resources_dir() -> Path:
    return _locate("resources")
