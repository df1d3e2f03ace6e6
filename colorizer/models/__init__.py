"""Model registry. Importing this package registers every architecture."""
from . import conv_autoencoder, effnet_unet, ensemble, gray2rgb_cnn, inception_fusion, resnet_mid  # noqa: F401
from .base import ColorModel, decode_ab
from .registry import create_model, list_models, register_model

__all__ = ["ColorModel", "create_model", "decode_ab", "list_models", "register_model"]
