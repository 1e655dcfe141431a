"""Undoing a learner's changes to the code hidden tests rely on, inside the grading kernel.

Hidden tests run in the learner's kernel, so a cell could reassign
``autograder.learner.checks.equal`` or ``keras.Model.count_params`` and turn a
failing test into a pass. Before the learner's first cell runs, the grader
calls `protect`, which records every attribute of the trusted modules
(``autograder``, ``keras``, ``numpy``, ``builtins``) and of the classes they
export. Before each hidden test cell it calls `restore`, which puts every
recorded attribute back, removes attributes added to those classes (a
patched inherited method), and rebinds the names the read-only setup cells defined.

This guards against reassignment, the way a learner would patch a helper.
It is not a sandbox: code that digs into this module's own records can
still defeat it. Run the grader's structure checks in a fresh process for
more (see DESIGN.md).
"""

from __future__ import annotations

import builtins
import importlib
import sys
import types
from typing import Any

TRUSTED_PACKAGES = ("autograder", "keras", "numpy")
# Rebound by the kernel itself (IPython's input hook and result history) or
# created on first access (class annotations): never reported or restored.
KERNEL_MANAGED = frozenset({"input", "raw_input", "getpass", "_", "__", "___", "__annotations__"})
_MISSING = object()


class _Record:
    """What `protect` saw: attributes of modules and classes, and protected names."""

    def __init__(self) -> None:
        self.namespaces: dict[int, tuple[Any, dict[str, Any]]] = {}
        self.names: dict[str, Any] = {}
        self.modules: dict[str, types.ModuleType] = {}


_record: _Record | None = None


def _is_trusted_module(name: str) -> bool:
    return name.split(".", 1)[0] in TRUSTED_PACKAGES


def _remember(owner: Any) -> None:
    assert _record is not None
    if id(owner) not in _record.namespaces:
        _record.namespaces[id(owner)] = (owner, dict(vars(owner)))


def _trusted_classes(module: types.ModuleType) -> list[type]:
    classes = []
    for value in list(vars(module).values()):
        if isinstance(value, type):
            classes.extend(c for c in value.__mro__ if c is not object and _is_trusted_module(c.__module__))
    return classes


def protect(user_namespace: dict[str, Any] | None = None) -> None:
    """Record the trusted modules, their classes and the learner namespace's trusted names.

    Call before any learner code runs, then again after each read-only setup
    cell (with the kernel's user namespace) so the names it bound are
    protected too. Importing ``keras`` here costs what the setup cell would
    have paid anyway.

    Args:
        user_namespace: the kernel's global namespace, or None.
    """
    global _record
    importlib.import_module("keras")
    importlib.import_module("autograder.learner.checks")
    importlib.import_module("autograder.learner.training")
    if _record is None:
        _record = _Record()
    _record.modules.update({name: module for name, module in sys.modules.items() if _is_trusted_module(name)})
    for module in list(_record.modules.values()):
        if isinstance(module, types.ModuleType):
            _remember(module)
            for cls in _trusted_classes(module):
                _remember(cls)
    _remember(builtins)
    for name, value in (user_namespace or {}).items():
        if isinstance(value, types.ModuleType) and _is_trusted_module(value.__name__):
            _record.names[name] = value
        elif _is_trusted_module(getattr(value, "__module__", None) or "") and callable(value):
            _record.names[name] = value


def _restore_namespace(owner: Any, saved: dict[str, Any]) -> list[str]:
    """Put back reassigned attributes; on classes, also remove added ones (a patched inherited method)."""
    is_class = isinstance(owner, type)
    label = f"{owner.__module__}.{owner.__qualname__}" if is_class else owner.__name__
    assign = type.__setattr__ if is_class else setattr
    current = vars(owner)
    changed = []
    for key, value in saved.items():
        if key not in KERNEL_MANAGED and current.get(key, _MISSING) is not value:
            assign(owner, key, value)
            changed.append(f"{label}.{key}")
    if is_class:
        for key in [k for k in list(current) if k not in saved and k not in KERNEL_MANAGED]:
            type.__delattr__(owner, key)
            changed.append(f"{label}.{key}")
    return changed


def restore(user_namespace: dict[str, Any] | None = None) -> list[str]:
    """Undo every change to what `protect` recorded; return what was changed back.

    Args:
        user_namespace: the kernel's global namespace, whose protected names
            are rebound.

    Returns:
        Dotted names that had been reassigned, added or removed, sorted.

    Raises:
        RuntimeError: `protect` was never called.
    """
    if _record is None:
        raise RuntimeError("guard.restore() needs guard.protect() first")
    changed = _restore_builtins(_record.namespaces[id(builtins)][1])
    for name, module in _record.modules.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            changed.append(f"sys.modules[{name!r}]")
    for owner, saved in _record.namespaces.values():
        if owner is not builtins:
            changed += _restore_namespace(owner, saved)
    if user_namespace is not None:
        for name, value in _record.names.items():
            if user_namespace.get(name, _MISSING) is not value:
                user_namespace[name] = value
                changed.append(name)
    return sorted(set(changed))


def _restore_builtins(saved: dict[str, Any]) -> list[str]:
    current = vars(builtins)
    changed = []
    for key, value in saved.items():
        if key not in KERNEL_MANAGED and current.get(key, _MISSING) is not value:
            current[key] = value
            changed.append(f"builtins.{key}")
    return changed
