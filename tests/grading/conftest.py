import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English (the language menu) leaves English active in the thread; the stored judgment
    texts render in the active language, so every test here starts and ends in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()
