"""A timm-style model registry: one file per architecture, registered by name."""
from __future__ import annotations

from typing import Callable

import torch.nn as nn

from ..errors import ColorizerError

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(name: str) -> Callable:
    """Decorator: make `fn(**kwargs) -> model` buildable as create_model(name, **kwargs)."""
    def deco(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn
    return deco


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def create_model(name: str, **kwargs) -> nn.Module:
    if name not in _REGISTRY:
        raise ColorizerError(f"unknown architecture {name!r}; known: {', '.join(list_models())}")
    try:
        model = _REGISTRY[name](**kwargs)
    except TypeError as exc:
        raise ColorizerError(f"bad settings for architecture {name!r}: {exc}") from None
    model.arch_name = name
    model.arch_kwargs = dict(kwargs)
    return model
