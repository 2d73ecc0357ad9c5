"""What an approved action does in the world: SMTP, a webhook, the demo shop."""
