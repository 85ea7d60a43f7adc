"""Shared pytest fixtures for the scenarios: where the build and the source
trees are, and how to find a built tool.

ctest (scenarios/CMakeLists.txt) sets XDI_BUILD_DIR and XDI_SOURCE_DIR.
Kept small and generic on purpose: scenario-specific fixtures belong in the
scenario files, or are added here when a second scenario needs them.
"""
import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def build_dir():
    """The CMake build tree under test (XDI_BUILD_DIR; no default, so a run
    can never test stale binaries from some other tree)."""
    value = os.environ.get("XDI_BUILD_DIR")
    if not value:
        pytest.fail("XDI_BUILD_DIR is not set: run the scenarios through "
                    "ctest, or set it to a CMake build directory")
    return pathlib.Path(value)


@pytest.fixture(scope="session")
def source_dir():
    """The source tree (XDI_SOURCE_DIR, else the parent of scenarios/)."""
    value = os.environ.get("XDI_SOURCE_DIR")
    return pathlib.Path(value) if value else pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def find_tool(build_dir):
    """find_tool("naccb") -> path of tools/naccb/naccb in the build tree;
    fails the test when it has not been built."""
    def find(name):
        path = build_dir / "tools" / name / name
        if not (path.is_file() and os.access(path, os.X_OK)):
            pytest.fail(f"tool {name!r} is not built: {path} does not exist")
        return path
    return find


@pytest.fixture
def agents(tmp_path, xdi_server_factory):
    """The real xdi-agents of an end-to-end test (e2e.Agents), stopped in
    teardown.  Depends on xdi_server_factory so it is torn down first:
    agents log out before the servers are stopped."""
    from e2e import Agents
    pool = Agents(tmp_path)
    yield pool
    pool.close()


pytest_plugins = ["xdi.pytest_plugin"]
