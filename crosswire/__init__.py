"""crosswire: gather conflict coverage from many outlets, keep each article once, search and compare it."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/crosswire-news/crosswire"
