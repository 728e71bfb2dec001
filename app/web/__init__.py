"""Page blueprints, one package per feature."""
