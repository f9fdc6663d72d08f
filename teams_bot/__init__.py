"""The Teams side: the only package that speaks Bot Framework."""

__version__ = "0.1.0"
