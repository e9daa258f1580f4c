"""Staff views: queues, approvals, users, devices, merchants."""
