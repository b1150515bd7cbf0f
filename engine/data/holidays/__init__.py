"""Official holiday arrangements, one TOML file per year (format: see 2026.toml)."""
