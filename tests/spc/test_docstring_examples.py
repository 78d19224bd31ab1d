"""The examples in the spc package's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import sharedpurpose.spc

MODULES = [
    "sharedpurpose.spc",
    *(
        f"sharedpurpose.spc.{info.name}"
        for info in pkgutil.iter_modules(sharedpurpose.spc.__path__)
        if info.name not in {"__main__"}
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_package_documents_runnable_examples() -> None:
    examples = sum(doctest.testmod(importlib.import_module(name)).attempted for name in MODULES)
    assert examples >= 5
