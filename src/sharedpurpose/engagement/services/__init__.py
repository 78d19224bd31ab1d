"""Changes to comments, subscriptions and the outbox, one module per area."""
