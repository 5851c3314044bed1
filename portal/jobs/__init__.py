"""The background worker: delivers the SMS outbox and runs the periodic jobs features register."""
