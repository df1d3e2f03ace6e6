"""colorizer: grayscale photos to plausible color, with every seed architecture and our flagship."""
__version__ = "0.1.0"

from .errors import ColorizerError  # noqa: E402

__all__ = ["ColorizerError", "Colorizer", "create_model", "list_models", "__version__"]


def __getattr__(name):  # lazy: importing the package loads neither PyTorch nor the inference stack
    if name == "Colorizer":
        from .inference import Colorizer
        return Colorizer
    if name in ("create_model", "list_models"):
        from . import models
        return getattr(models, name)
    raise AttributeError(name)
