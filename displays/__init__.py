"""displays."""
