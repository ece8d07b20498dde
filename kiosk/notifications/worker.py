"""The worker: claims due messages from the outbox and sends them, outside any page's request."""
