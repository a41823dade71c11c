"""Code the tests share that is not a test: stand-ins, helpers and test agents."""
