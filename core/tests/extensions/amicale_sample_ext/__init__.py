"""A small extension used by the tests to prove the plugin mechanism end to end."""
