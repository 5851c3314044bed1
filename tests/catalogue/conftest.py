"""The fixtures of the units' tests: the catalogue's pages are kept by the same administrators."""

from tests.units.conftest import admin, admin_client, staff, tree, unit  # noqa: F401 (fixtures)
