"""Business logic of permit applications: plain functions, the only writers of the models."""
