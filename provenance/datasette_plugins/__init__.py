"""Datasette plugins that `provenance browse` loads (`--plugins-dir`); each module is one plugin."""
