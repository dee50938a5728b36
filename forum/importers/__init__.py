"""Importers of content written elsewhere (Stack Exchange data dumps)."""
