"""Development and test tools: the loopback OpenID Connect provider and the demo data."""
