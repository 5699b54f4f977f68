import pytest

# The shared helpers assert as the tests do: let pytest explain their failures the same way.
pytest.register_assert_rewrite("tests.helpers")
