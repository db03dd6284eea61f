"""The web layer: thin blueprints per role over the services."""
