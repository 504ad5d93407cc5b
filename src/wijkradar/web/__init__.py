"""The web app (``pip install wijkradar[web]``): :func:`create_app` builds it from Settings."""

from wijkradar.web.app import create_app

__all__ = ["create_app"]
