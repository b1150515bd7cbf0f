"""Data files shipped with the engine."""
