"""Request validation and JSON output, one module per API resource."""
