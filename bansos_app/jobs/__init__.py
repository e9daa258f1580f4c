"""Long work in the task queue (huey), with its progress stored for a progress view."""
