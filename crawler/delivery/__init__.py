"""Delivery (DESIGN §12): new stories pushed to chat bots, email and webhooks through an outbox."""
