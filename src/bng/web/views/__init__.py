"""The pages of the service, one blueprint per kind of user."""
