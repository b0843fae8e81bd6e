"""editbay: a self-hosted, PixelByte-compatible job API for natural-language video editing."""

__version__ = "0.1.0"
