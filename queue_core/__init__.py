"""queue_core."""
