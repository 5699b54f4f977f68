"""What the tests share: constants, builders, clients and checks that are not pytest fixtures.

Test modules (``test_*.py``) import nothing from one another, and take only fixtures from
``conftest.py`` files; everything else they share lives here (tests/test_test_layout.py holds
the suite to that). Fixtures stay in the conftest files, except the few in ``live_servers``
that tests in several directories import by name. tests/__init__.py has pytest rewrite the
asserts of these modules, so that their failures are explained as a test's are.
"""
