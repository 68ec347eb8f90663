"""The SDK's fixtures (amicale-sdk's pytest plugin) with Timebank enabled in every test app."""

import pytest


@pytest.fixture
def amicale_components():
    return ["timebank"]
